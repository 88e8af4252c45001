"""The command line's human messages (stdout without ``--json``, and progress on stderr); JSON and CSV stay
locale-free."""

STRINGS: dict[str, dict[str, str | dict[str, str]]] = {
    "en": {
        "cli_summary": "{period}: {total}",
        "cli_report_total": "{month}: {total}, {providers}",
        "cli_report_change": "{change} vs {month}",
        "cli_collect_fetching": "collect: {name} fetching…",
        "cli_collect_ok": "collect: {name} ok in {duration}",
        "cli_collect_month": "collect: {name} {month} fetched [{done}/{total}]",
        "cli_collect_month_unavailable": "collect: {name} {month} not available (the API no longer serves it) "
        "[{done}/{total}]",
        "cli_collect_failed": "collect: {name} failed: {error}",
        "cli_collect_phase": "collect: {what}",
        "cli_collect_phase_failed": "collect: {what} failed: {error}",
        "cli_collect_done": "collect: done, {summary}",
        "cli_collect_total": "total {month}: {total}",
    },
    "fr": {
        "cli_summary": "{period} : {total}",
        "cli_report_total": "{month} : {total}, {providers}",
        "cli_report_change": "{change} par rapport à {month}",
        "cli_collect_fetching": "collect : {name} en cours de récupération…",
        "cli_collect_ok": "collect : {name} réussi en {duration}",
        "cli_collect_month": "collect : {name} {month} récupéré [{done}/{total}]",
        "cli_collect_month_unavailable": "collect : {name} {month} non disponible (l'API ne le fournit plus) "
        "[{done}/{total}]",
        "cli_collect_failed": "collect : {name} en échec : {error}",
        "cli_collect_phase": "collect : {what}",
        "cli_collect_phase_failed": "collect : {what} en échec : {error}",
        "cli_collect_done": "collect : terminé, {summary}",
        "cli_collect_total": "total {month} : {total}",
    },
}
