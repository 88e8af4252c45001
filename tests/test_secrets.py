"""No key, token or password appears in anything a full run produces: output, logs, database, email, report."""

import json
import logging
import sqlite3

import httpx

from core.cli import main
from core.periods import previous_month, utc_now
from tests.fakes import serve
from tests.imitation import KEYS, Imitation, Ledger, populate

RESEND_KEY = "re_fakeSECRETresendkey0123456789"
PASSWORD = "app-password-SECRET-0123"
TOKEN = "report-token-SECRET-0123"


def test_a_full_run_leaks_no_secret(tmp_path, monkeypatch, capsys, caplog):
    monkeypatch.chdir(tmp_path)
    caplog.set_level(logging.DEBUG)
    today = utc_now().date()
    im = Imitation(today, populate(Ledger(), previous_month(today), today), echo_credentials=True)
    mails: list[bytes] = []

    def resend_api(request: httpx.Request) -> httpx.Response:
        mails.append(request.content)
        return httpx.Response(200, json={"id": "email_1"})

    db = tmp_path / "s.db"
    with im.serve() as urls, serve(resend_api) as resend_url:
        env = im.environ(
            f"sqlite:///{db}",
            urls,
            RESEND_API_KEY=RESEND_KEY,
            RESEND_API_URL=resend_url,
            REPORT_EMAIL_FROM="reports@example.com",
            REPORT_EMAIL_TO="team@example.com",
            APP_PASSWORD=PASSWORD,
            REPORT_SECRET_TOKEN=TOKEN,
        )
        assert main(["collect", "--json"], env) == 0
        im.rotate_key("openai")  # now answers 401 quoting the key it was sent
        im.malformed("anthropic")
        assert main(["collect", "--json"], env) == 1
        assert main(["report", "--json"], env) == 0
        assert main(["send-report"], env) == 0
        assert main(["runs", "--json"], env) == 0
    out, err = capsys.readouterr()
    assert "openai" in err and "401" in err  # the failure is reported...
    with sqlite3.connect(db) as conn:
        dump = "\n".join(conn.iterdump())
    logs = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    email = b"".join(mails).decode()
    secrets = [*KEYS.values(), RESEND_KEY, PASSWORD, TOKEN]
    for name, text in (("stdout", out), ("stderr", err), ("logs", logs), ("database", dump)):
        for secret in secrets:
            assert secret not in text, f"{name} contains a secret"
    assert json.loads(email)["to"] == ["team@example.com"]
    for secret in [*KEYS.values(), RESEND_KEY, PASSWORD]:
        assert secret not in email
    assert f"token={TOKEN}" in email  # the emailed link is the one place the report token belongs
