"""The guardrails' settings: ALERT_EMAIL_TO, ALERT_WEBHOOK_URL (a secret), ANOMALY_MIN_USD."""

from decimal import Decimal

import pytest

from core.config import load_settings
from core.errors import ConfigError

HOOK = "https://hooks.slack.com/services/T0FAKE/B0FAKE/configSecretPath0001"


def test_defaults_and_parsed_values():
    s = load_settings({}, None)
    assert (s.alert_email_to, s.alert_webhook_url, s.anomaly_min_usd) == ((), None, Decimal(5))
    s = load_settings(
        {"ALERT_EMAIL_TO": "a@example.com, b@example.com", "ALERT_WEBHOOK_URL": HOOK, "ANOMALY_MIN_USD": "12.5"}, None
    )
    assert s.alert_email_to == ("a@example.com", "b@example.com")
    assert (s.alert_webhook_url, s.anomaly_min_usd) == (HOOK, Decimal("12.5"))


def test_alert_recipients_default_to_the_report_recipients():
    assert load_settings({"REPORT_EMAIL_TO": "r@example.com"}, None).alert_recipients == ("r@example.com",)
    both = load_settings({"REPORT_EMAIL_TO": "r@example.com", "ALERT_EMAIL_TO": "a@example.com"}, None)
    assert both.alert_recipients == ("a@example.com",)


@pytest.mark.parametrize(
    ("var", "value", "message"),
    [
        ("ALERT_EMAIL_TO", "a@example.com, nope", "ALERT_EMAIL_TO must be comma-separated email addresses"),
        ("ALERT_WEBHOOK_URL", "hooks.slack.com/services/secretNoScheme", "ALERT_WEBHOOK_URL must be an http(s)"),
        ("ALERT_WEBHOOK_URL", "https://hooks.example.com", "ALERT_WEBHOOK_URL must be an http(s) webhook URL"),
        ("ANOMALY_MIN_USD", "-1", "ANOMALY_MIN_USD must be a number of dollars from 0 to"),
        ("ANOMALY_MIN_USD", "five", "ANOMALY_MIN_USD must be a number of dollars from 0 to"),
    ],
)
def test_malformed_guardrail_settings_name_the_variable(var, value, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")) as err:
        load_settings({var: value}, None)
    assert "\n" not in str(err.value)
    if var == "ALERT_WEBHOOK_URL":
        assert "secretNoScheme" not in str(err.value)  # never echoed: the URL is the secret


def test_the_webhook_url_is_a_secret():
    s = load_settings({"ALERT_WEBHOOK_URL": HOOK}, None)
    assert HOOK not in repr(s)
    assert HOOK in s.secret_values()
    assert s.redact(f"posting to {HOOK} failed") == "posting to *** failed"
