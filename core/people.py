"""Who is looking and what they may do: the signed-in person, their role, and the scraper-run user ids that are
theirs. Pure rules (no Streamlit, no HTTP); ``core.ui.auth`` builds a ``Person`` for each session, the command line
builds one for the OS user.

Roles: ``ADMIN_EMAILS`` names the admins (addresses and ``@domain`` entries); every other signed-in person is a
viewer. The holder of ``APP_PASSWORD`` is an admin, and so is anyone when the app asks for no sign-in at all.
"""

from __future__ import annotations

import getpass
import re
import socket
from dataclasses import dataclass
from typing import Literal

from core.config import Settings

ADMIN, VIEWER = "admin", "viewer"
# How a person got in: single sign-on, the team password, an app without sign-in, or the command line.
Kind = Literal["sso", "password", "open", "cli"]
ACTIONS = ("collect", "send", "backfill", "reconcile", "settings")  # what only admins may do
EMAIL_RE = re.compile(r"^[^@\s,<>]+@[^@\s,<>]+\.[^@\s,<>]+$")
USER_ID_RE = re.compile(r"^[\w.:@/-]{1,128}$")  # the rule core.scraper_runs applies to a recorded run's user id


# What the record of actions holds for someone without an email or OS user (the pages say it in their language).
NAMELESS_ACTORS = {"password": "password holder", "open": "anyone (no sign-in)"}
CLI_ACTOR = "command line"


@dataclass(frozen=True)
class Person:
    kind: Kind
    role: str
    email: str | None = None  # lower case; None for the password holder, an open app, the command line
    name: str | None = None
    cli_user: str | None = None  # "user@host" for the command line

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def actor(self) -> str:
        """Who did it, as the record of actions shows it."""
        if self.email:
            return self.email
        if self.kind == "cli":
            return self.cli_user or CLI_ACTOR
        return NAMELESS_ACTORS[self.kind]


def matches(email: str | None, entries: tuple[str, ...]) -> bool:
    """Whether ``email`` is one of ``entries``: an exact address, or ``@domain`` for every address at that domain
    (that exact domain, not its subdomains). Case does not matter."""
    if not email or "@" not in email:
        return False
    email = email.strip().lower()
    domain = "@" + email.rsplit("@", 1)[1]
    return any(entry in (email, domain) for entry in entries)


def sso_person(settings: Settings, email: str | None, name: str | None = None) -> Person | None:
    """The person behind a single sign-on identity, or None when they may not come in (no email, or not on
    ``VIEWER_EMAILS`` when that list is set)."""
    if not email or "@" not in email:
        return None
    email = email.strip().lower()
    if matches(email, settings.admin_emails):
        return Person("sso", ADMIN, email, name)
    if settings.viewer_emails and not matches(email, settings.viewer_emails):
        return None
    return Person("sso", VIEWER, email, name)


def password_person() -> Person:
    return Person("password", ADMIN)


def open_person() -> Person:
    return Person("open", ADMIN)


def cli_person() -> Person:
    """The command line acts as the OS user on this host (whoever can run it can already read the database)."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no login name (some containers)
        user = "unknown"
    return Person("cli", ADMIN, cli_user=f"{user}@{socket.gethostname()}")


def sign_in_configured(settings: Settings) -> bool:
    """Whether the app asks anyone to sign in (otherwise everyone who reaches it is an admin)."""
    return bool(settings.sso_providers or settings.app_password)
