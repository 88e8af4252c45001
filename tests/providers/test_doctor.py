"""``doctor``: each configured provider's key and endpoints checked against the imitation, nothing written."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from core.cli import main
from core.doctor import FAILED, NOT_CONFIGURED, OK, diagnose
from tests.conftest import NO_SLEEP
from tests.imitation import KEYS, PROVIDER_NAMES, PROVIDERS, Imitation, Ledger, populate


def imitation(**kw) -> Imitation:
    today = datetime.now(UTC).date()
    return Imitation(today, populate(Ledger(), today - timedelta(days=5), today), **kw)


def by_name(found):
    return {d.provider: d for d in found}


def test_every_provider_set_up_right_passes_every_check():
    im = imitation()
    found = by_name(diagnose(im.settings(), transports=im.transports(), policy=NO_SLEEP))
    assert {name: d.status for name, d in found.items()} == dict.fromkeys(PROVIDER_NAMES, OK)
    assert "an OpenAI Admin key" in found["openai"].advice and "expected shape" in found["openai"].advice
    assert "management key" in found["openrouter"].advice
    # doctor reads only: no request but GETs and the ElevenLabs analytics query (a read sent as POST)
    for name in PROVIDER_NAMES:
        assert {r.method for r in im.requests[name]} <= ({"GET", "POST"} if name == "elevenlabs" else {"GET"})


def test_a_key_of_the_wrong_kind_says_which_kind_to_use():
    im = imitation()
    im.openrouter_inference_key = True
    settings = im.settings(openai_admin_key="sk-proj-fake-project-key-000000", anthropic_admin_key="sk-ant-api03-x")
    im.keys["openai"], im.keys["anthropic"] = settings.openai_admin_key, settings.anthropic_admin_key
    found = by_name(diagnose(settings, transports=im.transports(), policy=NO_SLEEP))
    assert found["openai"].status == FAILED and "should start with sk-admin-" in found["openai"].advice
    assert found["anthropic"].status == FAILED and "sk-ant-admin" in found["anthropic"].advice
    assert found["openrouter"].status == FAILED and "inference key" in found["openrouter"].advice
    assert "management-keys" in found["openrouter"].advice


def test_a_deepgram_key_without_billing_access_is_told_so():
    im = imitation()
    transports = im.transports()
    inner = im.handler("deepgram")

    def member_key(request: httpx.Request) -> httpx.Response:
        if "/billing/" in request.url.path:
            body = {
                "category": "INSUFFICIENT_PERMISSIONS",
                "message": "missing scope",
                "details": "",
                "request_id": "x",
            }
            return httpx.Response(403, json=body)
        return inner(request)

    transports["deepgram"] = httpx.MockTransport(member_key)
    found = by_name(diagnose(im.settings(), transports=transports, policy=NO_SLEEP))
    assert found["deepgram"].status == FAILED and "billing:read" in found["deepgram"].advice
    assert found["openai"].status == OK  # one provider's failure never hides the others


def test_a_rejected_key_fails_without_leaking_it():
    im = imitation(echo_credentials=True)
    im.rotate_key("apify")
    found = by_name(diagnose(im.settings(), transports=im.transports(), policy=NO_SLEEP))
    assert found["apify"].status == FAILED and "401" in found["apify"].advice
    assert KEYS["apify"] not in found["apify"].advice


def test_a_payload_that_drifted_fails_naming_the_problem():
    im = imitation()
    im.malformed("anthropic", "wrong_shape")
    found = by_name(diagnose(im.settings(), transports=im.transports(), policy=NO_SLEEP))
    assert found["anthropic"].status == FAILED and "data" in found["anthropic"].advice


def test_unconfigured_providers_are_listed_not_failed():
    im = imitation()
    settings = im.settings(**{PROVIDERS[n][0]: None for n in PROVIDER_NAMES if n != "apify"})
    found = by_name(diagnose(settings, transports=im.transports(), policy=NO_SLEEP))
    assert found["apify"].status == OK
    assert {d.status for name, d in found.items() if name != "apify"} == {NOT_CONFIGURED}


@pytest.fixture
def served():
    im = imitation()
    with im.serve() as urls:
        yield im, urls


def test_cli_doctor_exit_codes_json_and_nothing_written(served, tmp_path, capsys):
    im, urls = served
    database = tmp_path / "never-created.db"
    env = im.environ(f"sqlite:///{database}", urls)
    assert main(["doctor", "--json"], environ=env) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["provider"], r["status"]) for r in rows] == [(n, "ok") for n in PROVIDER_NAMES]
    assert not database.exists()  # checks write nothing, not even a database

    im.rotate_key("deepgram")
    assert main(["doctor"], environ=env) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len(PROVIDER_NAMES) and out[3].startswith("Deepgram: Needs attention: HTTP 401")

    nothing = {"DATABASE_URL": f"sqlite:///{database}"}
    assert main(["doctor"], environ=nothing) == 2
    assert "no provider is configured" in capsys.readouterr().err
