"""Strings of the monthly report's history: month links, comparisons and months a provider cannot serve."""

STRINGS = {
    "en": {
        "bad_month": "The link asked for a month that is not a month (YYYY-MM); showing the last complete month.",
    },
    "fr": {
        "bad_month": "Le lien demandait un mois invalide (AAAA-MM) ; voici le dernier mois complet.",
    },
}
