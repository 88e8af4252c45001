"""Settings & status: which providers are configured (keys masked), their last collection, database, email."""

import streamlit as st

from core import notion
from core.periods import parse_month, utc_now
from core.status import openrouter_stale_days, provider_states
from core.ui.actions import render_last_collection
from core.ui.auth import require
from core.ui.doctor import render_doctor
from core.ui.guardrails import render_budget_settings
from core.ui.locale import fmt, when
from core.ui.people import render_access, render_people
from core.ui.services import services, t
from core.ui.tables import provider_states_table
from core.ui.text import escape

svc = services()
allowed = require(svc.settings, t)
f = fmt()
s = svc.settings
st.title(t("settings_title"))

stale = openrouter_stale_days(s, svc.store, utc_now())
if stale is not None:
    st.warning(t("openrouter_stale", days=stale))

st.subheader(t("providers_title"))
render_last_collection(svc, f)
table, config = provider_states_table(provider_states(s, svc.store), f)
st.dataframe(table, column_config=config, hide_index=True, width="stretch")

if allowed.admin:  # the checks call the providers
    render_doctor(s, t)

st.subheader(t("database"))
st.code(s.database_display, language=None)

st.subheader(t("email_state"))
if s.resend_api_key and s.report_email_from and s.report_email_to:
    st.write(t("email_ready", sender=escape(s.report_email_from), to=escape(f.list(s.report_email_to))))
else:
    st.write(t("email_not_configured"))

render_budget_settings(svc, utc_now().date())

st.subheader(t("notion_state"))
if notion.configured(s):
    archive = notion.status(svc.store)
    if archive.last_sync_at is None:
        st.write(t("notion_last_sync", when="—"))
    else:
        local, utc = when(archive.last_sync_at, f)
        st.markdown(escape(t("notion_last_sync", when=local)), help=escape(utc))
    if archive.pending_months:
        months = f.list(f.month(parse_month(m)) for m in archive.pending_months)
        st.write(t("notion_pending", months=months))
    if archive.last_error:
        st.error(t("notion_error"), icon=":material/error:")
        st.code(archive.last_error, language=None, wrap_lines=True)
else:
    st.write(t("notion_off"))

render_access(svc, t, allowed)
render_people(svc, t, allowed)  # admins: who runs what, and who did what
