"""Who did what: every collect, send, back-fill, reconcile and settings change is recorded with the person, the time,
where it came from (the web app or the command line) and how it ended."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from core.errors import StoreError
from core.people import Person
from core.periods import utc_now
from core.store import people as people_store
from core.store.db import Store

log = logging.getLogger(__name__)
OK, PARTIAL, FAILED = "ok", "partial", "failed"


@dataclass
class Entry:
    outcome: str = OK  # set to PARTIAL or FAILED by the caller when the work reports it


@contextmanager
def recorded(store: Store, person: Person, action: str, **detail) -> Iterator[Entry]:
    """Record that ``person`` did ``action``, with when it started and how it ended (an exception: failed).

    Written once, when the block exits: nothing is written before the action itself (a refused command writes
    nothing, and a collection waiting for another's lock does not queue behind its transaction). A record that cannot
    be written is logged and never hides the action's own outcome. Details are small facts, never secrets."""
    entry, started = Entry(), utc_now()

    def write(outcome: str) -> None:
        try:
            people_store.record_action(
                store,
                actor=person.actor,
                via="cli" if person.kind == "cli" else "web",
                action=action,
                detail=detail,
                at=started,
                outcome=outcome,
            )
        except (SQLAlchemyError, StoreError) as exc:
            log.warning("could not record %s by %s: %s", action, person.actor, type(exc).__name__)

    try:
        yield entry
    except BaseException:
        write(FAILED)
        raise
    write(entry.outcome)
