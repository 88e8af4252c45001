"""The provider set-up checks ("doctor") on the settings page."""

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "doctor_title": "Check the providers' set-up",
        "doctor_help": "Asks each configured provider whether its key is accepted and of the right kind, and whether "
        "its endpoints answer as Spendboard expects. Nothing is written.",
        "doctor_run": "Check the set-up",
        "doctor_running": "Asking each provider…",
        "doctor_none": "No provider is configured yet: set a provider's key, then check again.",
        "doctor_all_ok": "Every configured provider is set up correctly.",
        "doctor_some_failed": "Some providers need attention: see what to fix below.",
        "doctor_col_provider": "Provider",
        "doctor_col_status": "Status",
        "doctor_col_advice": "What to fix / what was checked",
        "doctor_status_ok": "OK",
        "doctor_status_failed": "Needs attention",
        "doctor_status_not_configured": "Not configured",
        "doctor_not_configured": "set {env} to use it",
    },
    "fr": {
        "doctor_title": "Vérifier la configuration des fournisseurs",
        "doctor_help": "Demande à chaque fournisseur configuré si sa clé est acceptée et du bon type, et si ses points "
        "d’accès répondent comme Spendboard l’attend. Rien n’est enregistré.",
        "doctor_run": "Vérifier la configuration",
        "doctor_running": "Interrogation de chaque fournisseur…",
        "doctor_none": "Aucun fournisseur n’est encore configuré : renseignez la clé d’un fournisseur, puis "
        "vérifiez à nouveau.",
        "doctor_all_ok": "Chaque fournisseur configuré est correctement paramétré.",
        "doctor_some_failed": "Certains fournisseurs demandent votre attention : voyez ci-dessous quoi corriger.",
        "doctor_col_provider": "Fournisseur",
        "doctor_col_status": "État",
        "doctor_col_advice": "À corriger / ce qui a été vérifié",
        "doctor_status_ok": "OK",
        "doctor_status_failed": "À corriger",
        "doctor_status_not_configured": "Non configuré",
        "doctor_not_configured": "renseignez {env} pour l’utiliser",
    },
}
