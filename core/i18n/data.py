"""Strings about the data itself: sample data, months asked for in links, history a provider can no longer serve."""

STRINGS = {
    "en": {
        "bad_month": "The link asked for a month that is not a month (YYYY-MM); showing the last complete month.",
        "sample_banner": "You are looking at sample data, not your spend. It goes away by itself with the first real "
        "collection, or remove it now.",
        "remove_sample": "Remove sample data",
        "sample_removed": "Sample data removed.",
        "sample_refused": "This database holds real figures: sample data is only for an empty database.",
        # what a month's figures cover, and why a comparison is empty (never a bare "—")
        "availability_not_available": "not available",
        "availability_not_collected": "not collected",
        "change_note_not_available": "not available",
        "change_note_not_collected": "not collected",
        "change_note_no_spend": "no spend before",
        "change_note_partial": "partly collected",
        "note_not_available": "Not available: {provider} can no longer serve {month} (its API only keeps recent "
        "history): its figure is unknown, not zero.",
        "note_not_collected": "Not collected: nothing was collected for {month} (collection started on {since}).",
        "note_not_collected_never": "Not collected: nothing has been collected for {month} yet.",
        "note_partial": "Partly available: collected from {first} to {last} only.",
        "note_previous_not_available": "No change to show: {provider} can no longer serve {month}.",
        "note_previous_not_collected": "No change to show: nothing was collected for {month} (collection started "
        "on {since}).",
        "note_previous_not_collected_never": "No change to show: nothing was collected for {month}.",
        "note_previous_no_spend": "No change to show: there was no spend in {month}.",
        "note_previous_partly": "{month} is only partly collected: the change compares with part of it.",
        "note_previous_partial_no_spend": "No change to show: {month} is only partly collected, with no spend on "
        "the days collected.",
        "note_total_partial": "No change to show: {month} is only partly collected, with no spend on the days "
        "collected.",
        "note_total_not_collected": "No change to show: nothing was collected for {month}.",
        "note_total_not_collected_since": "No change to show: nothing was collected for {month} (collection started "
        "on {since}).",
        "note_total_not_available": "No change to show: the providers can no longer serve {month}.",
        "note_total_no_spend": "No change to show: there was no spend in {month}.",
        "note_previous_partial": "{month} is only partly collected ({providers}): the change compares with part of it.",
    },
    "fr": {
        "bad_month": "Le lien demandait un mois invalide (AAAA-MM) ; voici le dernier mois complet.",
        "sample_banner": "Vous regardez des données d'exemple, pas vos dépenses. Elles disparaissent d'elles-mêmes à "
        "la première vraie collecte, ou supprimez-les maintenant.",
        "remove_sample": "Supprimer les données d'exemple",
        "sample_removed": "Données d'exemple supprimées.",
        "sample_refused": "Cette base contient de vrais chiffres : les données d'exemple sont réservées à une base "
        "vide.",
        "availability_not_available": "non disponible",
        "availability_not_collected": "non collecté",
        "change_note_not_available": "non disponible",
        "change_note_not_collected": "non collecté",
        "change_note_no_spend": "aucune dépense avant",
        "change_note_partial": "collecté en partie",
        "note_not_available": "Non disponible : {provider} ne fournit plus {month} (son API ne garde que l'historique "
        "récent) : son montant est inconnu, pas nul.",
        "note_not_collected": "Non collecté : rien n'a été collecté pour {month} (collecte commencée le {since}).",
        "note_not_collected_never": "Non collecté : rien n'a encore été collecté pour {month}.",
        "note_partial": "Disponible en partie : collecté du {first} au {last} seulement.",
        "note_previous_not_available": "Pas d'évolution à afficher : {provider} ne fournit plus {month}.",
        "note_previous_not_collected": "Pas d'évolution à afficher : rien n'a été collecté pour {month} (collecte "
        "commencée le {since}).",
        "note_previous_not_collected_never": "Pas d'évolution à afficher : rien n'a été collecté pour {month}.",
        "note_previous_no_spend": "Pas d'évolution à afficher : aucune dépense en {month}.",
        "note_previous_partly": "{month} n'est collecté qu'en partie : l'évolution se compare à une partie du mois.",
        "note_previous_partial_no_spend": "Pas d'évolution à afficher : {month} n'est collecté qu'en partie, sans "
        "dépense les jours collectés.",
        "note_total_partial": "Pas d'évolution à afficher : {month} n'est collecté qu'en partie, sans dépense les "
        "jours collectés.",
        "note_total_not_collected": "Pas d'évolution à afficher : rien n'a été collecté pour {month}.",
        "note_total_not_collected_since": "Pas d'évolution à afficher : rien n'a été collecté pour {month} (collecte "
        "commencée le {since}).",
        "note_total_not_available": "Pas d'évolution à afficher : les fournisseurs ne fournissent plus {month}.",
        "note_total_no_spend": "Pas d'évolution à afficher : aucune dépense en {month}.",
        "note_previous_partial": "{month} n'est collecté qu'en partie ({providers}) : l'évolution se compare à une "
        "partie du mois.",
    },
}
