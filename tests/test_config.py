from decimal import Decimal

import pytest

from core.config import DEFAULT_DATABASE_URL, load_settings
from core.errors import ConfigError


def test_defaults_need_no_configuration():
    s = load_settings({}, None)
    assert s.database_url == DEFAULT_DATABASE_URL
    assert s.apify_base_url == "https://api.apify.com"
    assert s.app_language == "en"


def test_postgres_urls_select_psycopg3():
    for url in ("postgresql://u@h/db", "postgres://u@h/db", "postgresql+psycopg://u@h/db"):
        assert load_settings({"DATABASE_URL": url}, None).database_url == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize(
    ("var", "value", "message"),
    [
        ("DATABASE_URL", "mysql://x", "DATABASE_URL must start with"),
        ("APIFY_BASE_URL", "api.apify.com", "APIFY_BASE_URL must be an http(s) URL"),
        ("APP_LANGUAGE", "de", "APP_LANGUAGE must be one of en, fr"),
        ("ELEVENLABS_USD_PER_1K_CREDITS", "cheap", "ELEVENLABS_USD_PER_1K_CREDITS must be the dollars"),
        ("REPORT_EMAIL_TO", "a@example.com, nope", "REPORT_EMAIL_TO must be comma-separated"),
    ],
)
def test_malformed_setting_names_the_variable(var, value, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")) as err:
        load_settings({var: value}, None)
    assert "\n" not in str(err.value)


def test_environment_wins_over_secrets_file(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('APIFY_TOKEN = "from-file"\nAPP_LANGUAGE = "fr"\n')
    s = load_settings({"APIFY_TOKEN": "from-env"}, secrets)
    assert s.apify_token == "from-env" and s.app_language == "fr"


def test_secrets_never_appear_in_repr_and_are_redacted():
    s = load_settings(
        {
            "APIFY_TOKEN": "apify_api_SECRET1",
            "DATABASE_URL": "postgresql://me:pa55word@db/x",
            "ELEVENLABS_USD_PER_1K_CREDITS": "0.30",
        },
        None,
    )
    assert "apify_api_SECRET1" not in repr(s) and "pa55word" not in repr(s)
    assert s.redact("token apify_api_SECRET1 and pa55word") == "token *** and ***"
    assert s.database_display == "postgresql+psycopg://me:***@db/x"
    assert s.elevenlabs_usd_per_1k_credits == Decimal("0.30")
