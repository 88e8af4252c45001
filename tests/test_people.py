"""Roles and identities (core.people), the people store on SQLite and PostgreSQL (mappings, the record of actions,
password sign-ins), the run list's user-id filter, signed cookies and the throttle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from core.audit import recorded
from core.config import Settings, load_settings
from core.errors import ConfigError
from core.models import ScraperRun
from core.people import ADMIN, VIEWER, cli_person, matches, password_person, sso_person
from core.periods import utc_now
from core.store import people as people_store
from core.store import runs as run_store
from core.web.keys import sign, unsign
from core.web.throttle import FREE, Throttle

# --- roles --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "entries", "expected"),
    [
        ("ana@example.com", ("ana@example.com",), True),
        ("Ana@Example.COM", ("ana@example.com",), True),
        ("bob@example.com", ("@example.com",), True),
        ("bob@sub.example.com", ("@example.com",), False),  # that exact domain, not its subdomains
        ("bob@notexample.com", ("@example.com",), False),
        ("bob@example.com.evil.org", ("@example.com",), False),
        ("ana@example.com", (), False),
        (None, ("@example.com",), False),
        ("no-at-sign", ("@example.com",), False),
    ],
)
def test_admin_entries_match_addresses_and_whole_domains(email, entries, expected):
    assert matches(email, entries) is expected


def test_roles_come_from_admin_emails_and_viewer_emails_limits_who_gets_in():
    s = Settings(admin_emails=("boss@example.com", "@ops.example.com"), viewer_emails=("@example.com",))
    assert sso_person(s, "Boss@Example.com").role == ADMIN
    assert sso_person(s, "x@ops.example.com").role == ADMIN  # admins get in even off the viewer list
    assert sso_person(s, "ana@example.com").role == VIEWER
    assert sso_person(s, "mallory@elsewhere.example") is None
    assert sso_person(s, "") is None and sso_person(s, None) is None
    assert sso_person(Settings(), "anyone@anywhere.example").role == VIEWER  # no VIEWER_EMAILS: anyone signed in
    assert password_person().is_admin and password_person().actor == "password holder"
    cli = cli_person()
    assert cli.is_admin and cli.kind == "cli" and "@" in cli.actor


# --- configuration ------------------------------------------------------------------------------------------------

AUTH = """
[auth]
redirect_uri = "https://spend.example.com/oauth2callback"
cookie_secret = "a-cookie-secret"
[auth.google]
client_id = "id"
client_secret = "secret"
server_metadata_url = "https://accounts.google.com/.well-known/openid-configuration"
[auth.okta]
client_id = "id2"
client_secret = "secret2"
server_metadata_url = "https://acme.okta.com/.well-known/openid-configuration"
"""


def test_single_sign_on_is_read_from_the_auth_table(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(AUTH)
    s = load_settings({"ADMIN_EMAILS": "Boss@Example.com, @ops.example.com", "SESSION_DAYS": "3"}, secrets)
    assert s.sso_providers == (("google", "Google"), ("okta", "Okta"))
    assert s.admin_emails == ("boss@example.com", "@ops.example.com") and s.session_days == 3
    assert "a-cookie-secret" not in repr(s) and s.redact("x a-cookie-secret y") == "x *** y"
    assert load_settings({"SSO_PROVIDERS": "evil"}, None).sso_providers == ()  # never from the environment


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (AUTH.replace('cookie_secret = "a-cookie-secret"\n', ""), r"\[auth\] in secrets.toml lacks cookie_secret"),
        (AUTH.replace('client_secret = "secret2"\n', ""), r"\[auth.okta\] in secrets.toml lacks client_secret"),
        (AUTH.replace("/oauth2callback", "/callback"), "redirect_uri must end with /oauth2callback"),
    ],
)
def test_an_incomplete_auth_table_is_named_at_start(tmp_path, text, message):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_settings({}, secrets)


@pytest.mark.parametrize(
    ("var", "value", "message"),
    [
        ("ADMIN_EMAILS", "boss@example.com, example.com", "ADMIN_EMAILS must be comma-separated addresses or @domain"),
        ("VIEWER_EMAILS", "@", "VIEWER_EMAILS must be comma-separated"),
        ("SESSION_DAYS", "0", "SESSION_DAYS must be a whole number of days from 1 to 365"),
        ("SESSION_DAYS", "7.5", "SESSION_DAYS must be a whole number"),
    ],
)
def test_malformed_access_settings_name_the_variable(var, value, message):
    with pytest.raises(ConfigError, match=message):
        load_settings({var: value}, None)


# --- the people store, on both backends ---------------------------------------------------------------------------


def test_mapping_a_person_replaces_their_user_ids(store):
    assert people_store.owners_of(store, "ana@example.com") == ()
    assert people_store.set_owners(store, " Ana@Example.com ", ["u2", "u1", "u1", " "], by="boss") == ("u1", "u2")
    people_store.set_owners(store, "bob@example.com", ["u3"], by="boss")
    assert people_store.owners_of(store, "ANA@example.com") == ("u1", "u2")
    people_store.set_owners(store, "ana@example.com", ["u9"], by="boss")
    assert people_store.owner_map(store) == {"ana@example.com": ("u9",), "bob@example.com": ("u3",)}
    people_store.set_owners(store, "ana@example.com", [], by="boss")
    assert people_store.owner_map(store) == {"bob@example.com": ("u3",)}


def test_actions_are_recorded_with_who_where_and_how_they_ended(store):
    with recorded(store, cli_person(), "collect", month="2026-10") as entry:
        entry.outcome = "partial"
    with pytest.raises(RuntimeError), recorded(store, password_person(), "send", month="2026-10"):
        raise RuntimeError("boom")
    newest, oldest = people_store.recent_actions(store)
    assert (newest.actor, newest.via, newest.action, newest.outcome) == ("password holder", "web", "send", "failed")
    assert (oldest.via, oldest.action, oldest.outcome, oldest.detail) == (
        "cli",
        "collect",
        "partial",
        {"month": "2026-10"},
    )
    assert oldest.actor == cli_person().actor and oldest.finished_at >= oldest.at
    assert len(people_store.recent_actions(store, limit=1)) == 1


def test_a_password_sign_in_lives_until_it_expires_or_is_ended(store):
    people_store.open_session(store, "sid-1", kind="password", lifetime=timedelta(days=7))
    people_store.open_session(store, "sid-2", kind="password", lifetime=timedelta(days=7))
    assert people_store.session_alive(store, "sid-1") and not people_store.session_alive(store, "sid-unknown")
    people_store.end_session(store, "sid-1")
    assert not people_store.session_alive(store, "sid-1") and people_store.session_alive(store, "sid-2")
    assert not people_store.session_alive(store, "sid-2", now=utc_now() + timedelta(days=7, seconds=1))
    with store.engine.connect() as conn:  # only a hash of the id is kept
        stored = conn.execute(people_store.sign_in_sessions.select()).mappings().all()
    assert {r["sid_hash"] for r in stored}.isdisjoint({"sid-1", "sid-2"}) and len(stored) == 2


def test_old_sign_ins_are_cleared_when_a_new_one_starts(store):
    people_store.open_session(
        store, "old", kind="password", lifetime=timedelta(days=1), now=utc_now() - timedelta(days=5)
    )
    people_store.open_session(store, "new", kind="password", lifetime=timedelta(days=1))
    with store.engine.connect() as conn:
        assert len(conn.execute(people_store.sign_in_sessions.select()).all()) == 1


def test_the_run_list_filters_by_user_ids(store):
    now = datetime.now(UTC)
    runs = [
        ScraperRun("a", "maps", now, "SUCCEEDED", Decimal("1.10"), user_id="u1"),
        ScraperRun("b", "maps", now, "SUCCEEDED", Decimal("2.20"), user_id="u2"),
        ScraperRun("c", "maps", now, "SUCCEEDED", Decimal("4.40"), user_id=None),
        ScraperRun("d", "maps", now - timedelta(days=40), "FAILED", None, user_id="u3"),  # no cost, still theirs
    ]
    run_store.save_runs(store, runs)
    page = run_store.list_runs(store, user_ids=("u1", "u2"))
    assert sorted(r.run_id for r in page.items) == ["a", "b"] and page.total_cost_usd == Decimal("3.30")
    assert run_store.list_runs(store, user_ids=()).total_runs == 0  # nobody's runs
    assert run_store.list_runs(store, first=(now - timedelta(days=60)).date()).total_runs == 4  # everyone's
    assert run_store.user_ids(store) == ["u1", "u2", "u3"]


# --- cookies and the throttle -------------------------------------------------------------------------------------


def test_a_signed_value_needs_the_same_key_kind_and_age():
    s = Settings(session_secret="k1-0123456789abcdef")
    value = sign(s, "password", {"sid": "x"})
    assert unsign(s, "password", value, 60) == {"sid": "x"}
    assert unsign(s, "report", value, 60) is None  # signed for another purpose
    assert unsign(Settings(session_secret="k2-0123456789abcdef"), "password", value, 60) is None
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=61)):
        assert unsign(s, "password", value, 60) is None


def test_the_throttle_forgets_an_address_after_an_hour_and_keeps_addresses_apart():
    now = [0.0]
    throttle = Throttle(lambda: now[0])
    for _ in range(FREE + 2):
        throttle.failed("1.2.3.4")
    assert throttle.wait("1.2.3.4") == 4 and throttle.wait("5.6.7.8") == 0
    now[0] += 3601
    assert throttle.wait("1.2.3.4") == 0 and throttle.failed("1.2.3.4") == 1
