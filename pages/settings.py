"""Settings & status: which providers are configured (keys masked), their last collection, database, email."""

import pandas as pd
import streamlit as st

from core import notion
from core.periods import utc_now
from core.status import openrouter_stale_days, provider_states
from core.ui.actions import last_collection_caption
from core.ui.auth import require
from core.ui.doctor import render_doctor
from core.ui.guardrails import render_budget_settings
from core.ui.people import render_access, render_people
from core.ui.services import services, t
from core.ui.text import escape

svc = services()
allowed = require(svc.settings, t)
s = svc.settings
st.title(t("settings_title"))

stale = openrouter_stale_days(s, svc.store, utc_now())
if stale is not None:
    st.warning(t("openrouter_stale", days=stale))

st.subheader(t("providers_title"))
st.caption(last_collection_caption(svc))
rows = provider_states(s, svc.store)


def _when(value):
    return "" if value is None else f"{value:%Y-%m-%d %H:%M} UTC"


st.dataframe(
    pd.DataFrame(
        {
            t("col_provider"): [r.label for r in rows],
            t("col_key"): [
                f"{r.key_env} {r.key_masked}" if r.key_masked else f"{r.key_env}: {t('not_set')}" for r in rows
            ],
            t("col_last_status"): [
                t(f"status_{r.status}") if r.status in ("ok", "failed") else (r.status or "—") for r in rows
            ],
            t("col_last_ok"): [_when(r.succeeded_at) for r in rows],
            t("col_error"): [r.error or "" for r in rows],
        }
    ),
    hide_index=True,
    width="stretch",
)

if allowed.admin:  # the checks call the providers
    render_doctor(s, t)

st.subheader(t("database"))
st.code(s.database_display, language=None)

st.subheader(t("email_state"))
if s.resend_api_key and s.report_email_from and s.report_email_to:
    st.write(t("email_ready", sender=escape(s.report_email_from), to=escape(", ".join(s.report_email_to))))
else:
    st.write(t("email_not_configured"))

render_budget_settings(svc, utc_now().date())

st.subheader(t("notion_state"))
if notion.configured(s):
    archive = notion.status(svc.store)
    st.write(t("notion_last_sync", when=_when(archive.last_sync_at) or "—"))
    if archive.pending_months:
        st.write(t("notion_pending", months=", ".join(archive.pending_months)))
    if archive.last_error:
        st.error(t("notion_error", error=archive.last_error))
else:
    st.write(t("notion_off"))

render_access(svc, t, allowed)
render_people(svc, t, allowed)  # admins: who runs what, and who did what
