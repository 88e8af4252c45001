"""The report email in the app's language, fluid on a phone, each provider in its chart colour."""

import html
import re
from datetime import date
from decimal import Decimal

import pytest

from core.cli import main
from core.config import Settings
from core.i18n.formats import format_number
from core.palette import colour
from core.report import monthly_report
from core.report_email import render
from core.store.db import open_store

OCT = date(2026, 10, 1)
ENGLISH_WORDS = re.compile(r"\b(October|September|Total:|providers|Requests|Open the full report|derived)\b")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('mail') / 'm.db'}"
    assert main(["demo"], environ={"DATABASE_URL": url}) == 0
    store = open_store(url)
    yield store, url
    store.dispose()


def email(demo, language: str, revisions=()):
    store, url = demo
    settings = Settings(database_url=url, app_language=language, app_base_url="https://spend.example.com")
    return render(monthly_report(store, OCT, settings.app_base_url), settings, revisions)


def test_the_french_email_is_french_from_subject_to_footer(demo):
    mail = email(demo, "fr", [(date(2026, 8, 1), Decimal("12.5"), Decimal("13.75"))])
    report = monthly_report(demo[0], OCT)
    total = f"{report.total_cost_usd:.2f}".replace(".", ",")
    assert mail.subject.startswith("Spendboard — dépenses API d'octobre 2026 : ")
    assert f"{total}\xa0$US" in mail.subject and mail.subject.endswith("\xa0%)")
    for body in (html.unescape(mail.html), mail.text):
        assert not ENGLISH_WORDS.search(body), ENGLISH_WORDS.search(body)
        assert "septembre 2026" in body and "6 fournisseurs" in body
        assert "août 2026 : 12,50\xa0$US → 13,75\xa0$US" in body
        assert "$US" in body and "Ouvrir le rapport complet" in body
    assert '<html lang="fr">' in mail.html
    openai = next(p for p in report.providers if p.provider == "openai")
    assert openai.requests > 1000  # so the grouping shows
    assert f"Requêtes : {format_number(openai.requests, 'fr')}" in mail.text  # French grouping


def test_the_english_email_keeps_its_words_and_plural_forms(demo):
    mail = email(demo, "en")
    assert mail.subject.startswith("Spendboard — API spend for October 2026: $")
    assert "6 providers" in mail.html and "vs September 2026: $" in mail.html
    assert '<html lang="en">' in mail.html


def test_the_email_is_fluid_and_each_provider_has_its_chart_colour(demo):
    mail = email(demo, "en")
    outside_outlook = re.sub(r"<!--\[if mso\]>.*?<!\[endif\]-->", "", mail.html, flags=re.S)  # Outlook's own
    assert 'width="600"' not in outside_outlook and not re.search(r"(?<!max-)width:600px", outside_outlook)
    assert "max-width:600px" in mail.html and 'name="viewport"' in mail.html
    for provider in ("openai", "anthropic", "apify", "deepgram", "elevenlabs", "openrouter"):
        assert f"background:{colour(provider)};" in mail.html
