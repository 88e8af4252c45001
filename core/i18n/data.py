"""Strings about the data itself: sample data, months asked for in links, history a provider can no longer serve."""

STRINGS = {
    "en": {
        "bad_month": "The link asked for a month that is not a month (YYYY-MM); showing the last complete month.",
        "sample_banner": "You are looking at sample data, not your spend. It goes away by itself with the first real "
        "collection, or remove it now.",
        "remove_sample": "Remove sample data",
        "sample_removed": "Sample data removed.",
        "sample_refused": "This database holds real figures: sample data is only for an empty database.",
    },
    "fr": {
        "bad_month": "Le lien demandait un mois invalide (AAAA-MM) ; voici le dernier mois complet.",
        "sample_banner": "Vous regardez des données d'exemple, pas vos dépenses. Elles disparaissent d'elles-mêmes à "
        "la première vraie collecte, ou supprimez-les maintenant.",
        "remove_sample": "Supprimer les données d'exemple",
        "sample_removed": "Données d'exemple supprimées.",
        "sample_refused": "Cette base contient de vrais chiffres : les données d'exemple sont réservées à une base "
        "vide.",
    },
}
