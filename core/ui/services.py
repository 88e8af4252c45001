"""Services built once per process (``st.cache_resource``) and the small helpers every page uses."""

from __future__ import annotations

import os
from dataclasses import dataclass

import streamlit as st

from core.config import Settings, load_settings
from core.errors import SpendError
from core.i18n import LANGUAGES, translator
from core.store.db import Store, open_store


@dataclass(frozen=True)
class Services:
    settings: Settings
    store: Store


@st.cache_resource(show_spinner=False)
def _build() -> Services:
    settings = load_settings()
    return Services(settings, open_store(settings.database_url))


def leave_legacy_multipage_mode() -> None:
    """Run every page through ``streamlit_app.py``.

    Page files live in ``pages/``. Until some session has called ``st.navigation``, Streamlit treats that folder as
    a legacy multipage app, so the very first visitor of a deep link (say ``/report?token=...``) would get the page
    file run on its own, with Streamlit's automatic sidebar listing every file. Clearing the flag and rerunning
    hands the request to the entry script, which declares the real navigation.
    """
    from streamlit.runtime.pages_manager import PagesManager

    first_run = not st.session_state.get("_spendboard_started")  # a deep link is always a session's first run
    st.session_state["_spendboard_started"] = True
    if first_run and PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def services() -> Services:
    """Settings and store, or a clear error on the page (and nothing else) when configuration is wrong."""
    try:
        return _build()
    except SpendError as exc:  # the settings did not load: the language is the environment's, if it names one
        language = os.environ.get("APP_LANGUAGE", "en").strip().lower()
        message = translator(language if language in LANGUAGES else "en")("config_error", error=exc)
        st.error(message)
        st.stop()
        raise  # unreachable: st.stop() ends the script run


def t(key: str, **values) -> str:
    """Translate with the configured ``APP_LANGUAGE``."""
    return translator(services().settings.app_language)(key, **values)


def remembered(key: str, default):
    """Keep a widget's choice across reruns and page switches (Streamlit drops state of unrendered widgets)."""
    store_key = f"_keep_{key}"
    if key not in st.session_state:
        st.session_state[key] = st.session_state.get(store_key, default)

    def keep():
        st.session_state[store_key] = st.session_state[key]

    return keep
