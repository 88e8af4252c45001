"""A "Download CSV" button: the CSV is built only when someone clicks (``core.export`` builds it)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.export import MIME
from core.i18n.formats import Formats


def csv_button(build: Callable[[], str], file_name: str, *, key: str, f: Formats, label: str | None = None) -> None:
    """``build`` returns the CSV text; ``file_name`` like ``spendboard-runs-2026-10.csv``; ``label`` says what it
    holds when a page has more than one (the catalogue's "Download CSV" otherwise)."""
    st.download_button(
        label or f.t("csv_download"),
        data=lambda: build().encode("utf-8"),
        file_name=file_name,
        mime=MIME,
        key=key,
        icon=":material/download:",
        help=f.t("csv_help"),
        on_click="ignore",
    )
