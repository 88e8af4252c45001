"""Each person's own runs and who did what, on the pages: the "whose runs" choice (Overview, Scraper runs), and the
settings page's Access, People and Recent-actions sections."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.audit import recorded
from core.people import CLI_ACTOR, EMAIL_RE, NAMELESS_ACTORS, USER_ID_RE
from core.store import people as people_store
from core.store import runs as run_store
from core.ui.auth import Access, authorize, who
from core.ui.locale import fmt
from core.ui.services import Services, remembered

MINE, EVERYONE = "mine", "everyone"
KNOWN_IDS_SHOWN = 30


def whose_runs(svc: Services, t, allowed: Access, *, team_wide_note: bool = False) -> tuple[str, ...] | None:
    """Whose scraper runs the page counts: the person's own by default, everyone's for an admin who asks (or who
    has no runs of their own). Returns the store's ``owners`` filter (None: everyone) and says what it shows
    (``team_wide_note``: and that the other providers' costs are everyone's)."""
    person = allowed.person
    mine = people_store.owners_of(svc.store, person.email) if person and person.email else ()
    choice = MINE
    if allowed.admin:
        if mine:
            remembered("whose_runs", MINE)
            choice = (
                st.segmented_control(
                    t("whose_runs"),
                    [MINE, EVERYONE],
                    key="whose_runs",
                    format_func=lambda c: t(f"runs_{c}"),
                    on_change=remembered("whose_runs", MINE),
                )
                or MINE  # a click on the chosen option deselects it: keep showing one's own runs
            )
        else:
            choice = EVERYONE
    if choice == EVERYONE:
        owners, note = None, t("runs_showing_everyone")
    elif mine:
        owners, note = mine, t("runs_showing_mine", ids=", ".join(mine))
    else:
        owners, note = (), t("runs_none_linked", email=person.email if person and person.email else "?")
    st.caption(note + (" " + t("runs_team_wide") if team_wide_note else ""))
    return owners


def render_access(svc: Services, t, allowed: Access) -> None:
    """How people get in, who the admins are, and who is looking."""
    s = svc.settings
    st.subheader(t("app_access"))
    if s.sso_providers:
        st.write(t("access_sso", providers=", ".join(label for _name, label in s.sso_providers)))
    if s.app_password:
        st.write(t("access_password_on"))
        st.write(t("access_lifetime", count=s.session_days))
    if not s.sso_providers and not s.app_password:
        st.warning(t("access_open_warning"), icon=":material/lock_open:")
    if s.sso_providers:
        st.write(t("access_admins", entries=", ".join(s.admin_emails)) if s.admin_emails else t("access_no_admins"))
        st.write(
            t("access_viewers", entries=", ".join(s.viewer_emails)) if s.viewer_emails else t("access_viewers_any")
        )
    if s.report_secret_token:
        st.write(t("access_report_link"))
    if allowed.person is not None:
        st.caption(t("access_you", who=who(t, allowed.person), role=t(f"role_{allowed.person.role}")))


def _parse_ids(raw: str) -> tuple[list[str], str | None]:
    ids = [part.strip() for part in raw.split(",") if part.strip()]
    bad = next((i for i in ids if not USER_ID_RE.match(i)), None)
    return ids, bad


def render_people(svc: Services, t, allowed: Access) -> None:
    """Admins: who is linked to which scraper-run user ids (and the form to change it), and the recent actions."""
    if not allowed.admin:
        return
    st.subheader(t("people_title"))
    st.caption(t("people_caption"))
    mapping = people_store.owner_map(svc.store)
    if mapping:
        st.dataframe(
            pd.DataFrame({t("col_person"): list(mapping), t("col_user_ids"): [", ".join(v) for v in mapping.values()]}),
            hide_index=True,
            width="stretch",
        )
    else:
        st.caption(t("people_none"))
    known = run_store.user_ids(svc.store)
    if known:
        shown = ", ".join(known[:KNOWN_IDS_SHOWN]) + (" …" if len(known) > KNOWN_IDS_SHOWN else "")
        st.caption(t("people_known_ids", ids=shown))
    with st.form("people_map", clear_on_submit=True):
        email = st.text_input(t("people_email"), key="people_email", max_chars=320)
        raw_ids = st.text_input(t("people_user_ids"), key="people_user_ids", max_chars=2000)
        submitted = st.form_submit_button(t("people_save"))
    if submitted:
        _save_mapping(svc, t, email.strip().lower(), raw_ids)
    _recent_actions(svc, t)


def _save_mapping(svc: Services, t, email: str, raw_ids: str) -> None:
    person = authorize(svc.settings, t, "settings")
    if person is None:
        return
    ids, bad = _parse_ids(raw_ids)
    if not EMAIL_RE.match(email):
        st.error(t("people_bad_email"))
        return
    if bad is not None:
        st.error(t("people_bad_id", value=bad[:40]))
        return
    with recorded(svc.store, person, "settings", change="people", email=email, user_ids=sorted(set(ids))):
        saved = people_store.set_owners(svc.store, email, ids, by=person.actor)
    st.success(t("people_saved", email=email, ids=", ".join(saved)) if saved else t("people_removed", email=email))


def _label(t, prefix: str, value: str) -> str:
    try:
        return t(prefix + value)
    except KeyError:  # an action or outcome this catalogue does not name yet
        return value.replace("_", " ")


def _actor(t, actor: str) -> str:
    """An email or OS user as recorded; the nameless ones (the team password, an open app) in the page's language."""
    words = {text: t(f"who_{kind}") for kind, text in NAMELESS_ACTORS.items()} | {CLI_ACTOR: t("via_cli")}
    return words.get(actor, actor)


def _detail(detail: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in detail.items() if v not in (None, "", [], False))


def _recent_actions(svc: Services, t) -> None:
    st.subheader(t("actions_title"))
    rows = people_store.recent_actions(svc.store, limit=20)
    if not rows:
        st.caption(t("actions_none"))
        return
    f = fmt()
    at = t("col_when", zone=f.tz_name)
    st.dataframe(
        pd.DataFrame(
            {
                at: [f.datetime(r.at) for r in rows],
                t("col_who"): [_actor(t, r.actor) for r in rows],
                t("col_via"): [_label(t, "via_", r.via) for r in rows],
                t("col_action"): [_label(t, "action_", r.action) for r in rows],
                t("col_detail"): [_detail(r.detail) for r in rows],
                t("col_outcome"): [_label(t, "status_", r.outcome or "running_or_interrupted") for r in rows],
            }
        ),
        column_config={at: st.column_config.TextColumn(help=t("col_time_help", zone=f.tz_name))},
        hide_index=True,
        width="stretch",
    )
