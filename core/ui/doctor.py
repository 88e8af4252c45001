"""The providers' set-up checks on the settings page: run on a button click, shown as a table of plain text."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from core.config import Settings


def render_doctor(settings: Settings, t: Callable[..., str]) -> None:
    """A button that runs ``core.doctor.diagnose`` and shows one row per provider (provider text is data: a
    dataframe, never Markdown)."""
    st.subheader(t("doctor_title"))
    st.caption(t("doctor_help"))
    if not st.button(t("doctor_run"), key="doctor_run"):
        return
    from core.doctor import FAILED, NOT_CONFIGURED, diagnose

    with st.spinner(t("doctor_running")):
        found = diagnose(settings)
    if all(d.status == NOT_CONFIGURED for d in found):
        st.info(t("doctor_none"))
        return
    if any(d.status == FAILED for d in found):
        st.warning(t("doctor_some_failed"))
    else:
        st.success(t("doctor_all_ok"))
    st.dataframe(
        pd.DataFrame(
            {
                t("doctor_col_provider"): [d.label for d in found],
                t("doctor_col_status"): [t(f"doctor_status_{d.status}") for d in found],
                t("doctor_col_advice"): [
                    t("doctor_not_configured", env=d.key_env) if d.status == NOT_CONFIGURED else d.advice for d in found
                ],
            }
        ),
        hide_index=True,
        width="stretch",
    )
