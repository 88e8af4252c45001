"""Every user-facing string of the app, in one place. English by default, French with ``APP_LANGUAGE=fr``."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "app_title": "Spendboard",
        "nav_overview": "Overview",
        "nav_runs": "Scraper runs",
        "nav_report": "Monthly report",
        "nav_settings": "Settings & status",
        "total_spent": "Total spent",
        "period": "Period",
        "period_day": "Today",
        "period_week": "Last 7 days",
        "period_month": "Last 30 days",
        "period_all": "All time",
        "provider": "Provider",
        "all_providers": "All providers",
        "runs_count": "{n} runs",
        "requests_count": "{n} requests",
        "vs_previous": "vs the previous {days} days",
        "daily_spending": "Daily spending",
        "range": "Range",
        "range_days": "{n} days",
        "runs_over_period": "{n} runs over the period",
        "requests_over_period": "{n} requests",
        "chart_cost": "Cost",
        "chart_runs": "Runs",
        "chart_requests": "Requests",
        "chart_date": "Date",
        "empty_title": "No spending recorded yet",
        "empty_body": (
            "Spendboard reads each provider's own billing data. To start, set one or more keys in the environment "
            "or in `.streamlit/secrets.toml`: `APIFY_TOKEN`, `OPENAI_ADMIN_KEY`, `ANTHROPIC_ADMIN_KEY`, "
            "`ELEVENLABS_API_KEY`, `DEEPGRAM_API_KEY`, `OPENROUTER_MANAGEMENT_KEY` (see the README), then back-fill "
            "Apify runs or press Collect. Or look around with sample data first."
        ),
        "load_demo": "Load sample data",
        "demo_loaded": "Sample data loaded: {runs} scraper runs and {lines} daily cost lines.",
        "demo_banner": "This database contains sample data (scraper ids and line items marked 'demo'). "
        "Remove it with `python -m core demo --remove`.",
        "configured_providers": "Configured providers: {names}",
        "none_configured": "No provider key is configured yet.",
        "runs_title": "Scraper runs",
        "filter_from": "From",
        "filter_to": "To",
        "filter_scraper": "Scraper id",
        "filter_source": "Source",
        "any": "Any",
        "runs_totals": "{n} runs, {cost} in total",
        "no_runs": "No runs match these filters.",
        "backfill_title": "Back-fill from Apify",
        "backfill_days": "Days to import",
        "backfill_reset": "Delete previously imported runs first",
        "backfill_button": "Back-fill",
        "backfill_need_token": "Set APIFY_TOKEN to back-fill runs from Apify.",
        "backfill_progress": "Imported {done} of {total} runs",
        "backfill_done": "Imported {fetched} runs ({cost}) from the last {days} days; {deleted} old imported runs "
        "replaced.",
        "backfill_failed": "Back-fill failed, nothing was changed: {error}",
        "col_started": "Started (UTC)",
        "col_run": "Run",
        "col_scraper": "Scraper",
        "col_status": "Status",
        "col_cost": "Cost (USD)",
        "col_items": "Items",
        "col_source": "Source",
        "page_size": "Rows",
        "config_error": "Configuration error: {error}",
    },
    "fr": {
        "app_title": "Spendboard",
        "nav_overview": "Vue d'ensemble",
        "nav_runs": "Exécutions",
        "nav_report": "Rapport mensuel",
        "nav_settings": "Réglages et état",
        "total_spent": "Total dépensé",
        "period": "Période",
        "period_day": "Jour",
        "period_week": "Dernière semaine",
        "period_month": "Dernier mois",
        "period_all": "Tous",
        "provider": "Fournisseur",
        "all_providers": "Tous les fournisseurs",
        "runs_count": "{n} exécutions",
        "requests_count": "{n} requêtes",
        "vs_previous": "par rapport aux {days} jours précédents",
        "daily_spending": "Coûts dépensés par jour",
        "range": "Plage",
        "range_days": "{n} jours",
        "runs_over_period": "{n} exécutions sur la période",
        "requests_over_period": "{n} requêtes",
        "chart_cost": "Coût",
        "chart_runs": "Exécutions",
        "chart_requests": "Requêtes",
        "chart_date": "Date",
        "empty_title": "Aucune dépense enregistrée",
        "empty_body": (
            "Spendboard lit les données de facturation de chaque fournisseur. Pour commencer, définissez une ou "
            "plusieurs clés dans l'environnement ou dans `.streamlit/secrets.toml` : `APIFY_TOKEN`, "
            "`OPENAI_ADMIN_KEY`, `ANTHROPIC_ADMIN_KEY`, `ELEVENLABS_API_KEY`, `DEEPGRAM_API_KEY`, "
            "`OPENROUTER_MANAGEMENT_KEY` (voir le README), puis importez les exécutions Apify ou lancez une "
            "collecte. Ou explorez d'abord avec des données d'exemple."
        ),
        "load_demo": "Charger des données d'exemple",
        "demo_loaded": "Données d'exemple chargées : {runs} exécutions et {lines} lignes de coûts.",
        "demo_banner": "Cette base contient des données d'exemple (marquées « demo »). "
        "Supprimez-les avec `python -m core demo --remove`.",
        "configured_providers": "Fournisseurs configurés : {names}",
        "none_configured": "Aucune clé de fournisseur n'est configurée.",
        "runs_title": "Exécutions des scrapers",
        "filter_from": "Du",
        "filter_to": "Au",
        "filter_scraper": "Scraper",
        "filter_source": "Origine",
        "any": "Toutes",
        "runs_totals": "{n} exécutions, {cost} au total",
        "no_runs": "Aucune exécution ne correspond à ces filtres.",
        "backfill_title": "Importer depuis Apify",
        "backfill_days": "Jours à importer",
        "backfill_reset": "Supprimer d'abord les exécutions importées",
        "backfill_button": "Importer",
        "backfill_need_token": "Définissez APIFY_TOKEN pour importer les exécutions Apify.",
        "backfill_progress": "{done} exécutions importées sur {total}",
        "backfill_done": "{fetched} exécutions importées ({cost}) sur les {days} derniers jours ; {deleted} "
        "anciennes exécutions importées remplacées.",
        "backfill_failed": "L'import a échoué, rien n'a été modifié : {error}",
        "col_started": "Début (UTC)",
        "col_run": "Exécution",
        "col_scraper": "Scraper",
        "col_status": "Statut",
        "col_cost": "Coût (USD)",
        "col_items": "Éléments",
        "col_source": "Origine",
        "page_size": "Lignes",
        "config_error": "Erreur de configuration : {error}",
    },
}


def translator(language: str):
    """Return ``t(key, **values)`` for a language (falls back to English for a missing key)."""
    table = STRINGS.get(language, STRINGS["en"])

    def t(key: str, **values) -> str:
        text = table.get(key) or STRINGS["en"][key]
        return text.format(**values) if values else text

    return t
