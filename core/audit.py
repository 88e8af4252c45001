"""Who did what: every collect, send, back-fill, reconcile and settings change is recorded with the person, the time,
where it came from (the web app or the command line) and how it ended."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from core.people import Person
from core.store import people as people_store
from core.store.db import Store

OK, PARTIAL, FAILED = "ok", "partial", "failed"


@dataclass
class Entry:
    id: int
    outcome: str = OK  # set to PARTIAL or FAILED by the caller when the work reports it


@contextmanager
def recorded(store: Store, person: Person, action: str, **detail) -> Iterator[Entry]:
    """Record ``action`` as started by ``person`` now, and how it ended when the block exits (an exception: failed).

    Details are small facts (a month, a number of days), never secrets."""
    entry = Entry(
        people_store.start_action(
            store, actor=person.actor, via="cli" if person.kind == "cli" else "web", action=action, detail=detail
        )
    )
    try:
        yield entry
    except BaseException:
        people_store.finish_action(store, entry.id, FAILED)
        raise
    people_store.finish_action(store, entry.id, entry.outcome)
