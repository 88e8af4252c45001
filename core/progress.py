"""What a collection tells the person waiting for it, as it happens: one vocabulary of progress events, one tracker
that turns them into a headline, a one-line summary and details, for the app and the command line alike.

``core.collect.collect(progress=...)`` calls ``progress(name, status, detail)``:

===============================  =========================================  =====================================
name                             status                                     detail
===============================  =========================================  =====================================
a provider (``openai``...)       ``running``, then ``ok`` or ``failed``     the error (``failed``), else None
``snapshots`` (month figures)    ``running``, then ``ok`` or ``failed``     the error (``failed``)
``notion`` (the archive)         ``running``, ``step``\\*, then ``ok``,      ``step``: ``step_detail(written,
                                 ``failed`` or ``skipped``                  total)``; ``failed``: the error
``alerts`` (spending alerts)     ``running``, ``step``\\*, then ``ok``,      ``step``/``ok``: ``step_detail(sent)``
                                 ``failed`` or ``skipped``
``email`` (the report email)     ``running``, then ``ok``, ``failed`` or    ``ok``: the recipients, ``, ``-joined
                                 ``skipped``
===============================  =========================================  =====================================

Events may come from worker threads; a final status may be repeated (the first one wins). Unknown names or
statuses are shown as they come rather than dropped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from core.i18n.formats import Formats

RUNNING, OK, FAILED, SKIPPED, STEP = "running", "ok", "failed", "skipped", "step"
SNAPSHOTS, ARCHIVE, ALERTS, EMAIL = "snapshots", "notion", "alerts", "email"
PHASES = (SNAPSHOTS, ARCHIVE, ALERTS, EMAIL)
FINAL = (OK, FAILED, SKIPPED)
# A provider's months, as they arrive: detail "YYYY-MM i/n" (the month, its place among the provider's n months).
# MONTH: the month's days arrived (written with the provider's other months at the end); MONTH_NOT_AVAILABLE: the
# API can no longer serve it, so nothing was asked (shown as "not available", never $0).
MONTH, MONTH_NOT_AVAILABLE = "month", "month_not_available"

Progress = Callable[[str, str, str | None], None]


def step_detail(done: int, total: int | None = None) -> str:
    """The detail of a ``step`` event: ``"3/12"`` (3 of 12 written) or ``"3"`` when the total is unknown."""
    return f"{done}" if total is None else f"{done}/{total}"


def parse_step(detail: str | None) -> tuple[int | None, int | None]:
    done, _, total = (detail or "").partition("/")
    try:
        return int(done), (int(total) if total else None)
    except ValueError:
        return None, None


@dataclass
class Step:
    """One provider or one phase of a collection."""

    name: str
    status: str = "waiting"
    detail: str | None = None
    done: int | None = None
    total: int | None = None
    started: float | None = None
    ended: float | None = None
    month: str | None = None  # the month a provider is at ("YYYY-MM")
    unavailable: list[str] = field(default_factory=list)  # months its API could no longer serve

    @property
    def finished(self) -> bool:
        return self.status in FINAL

    @property
    def seconds(self) -> float | None:
        return None if self.started is None or self.ended is None else self.ended - self.started


@dataclass
class Tracker:
    """Folds progress events into the state of each provider and phase (call it as the ``progress`` callback)."""

    labels: dict[str, str] = field(default_factory=dict)  # provider name -> display name
    clock: Callable[[], float] = time.monotonic
    providers: dict[str, Step] = field(default_factory=dict)
    phases: dict[str, Step] = field(default_factory=dict)
    started: float | None = None
    ended: float | None = None

    def __call__(self, name: str, status: str, detail: str | None = None) -> Step:
        now = self.clock()
        if self.started is None:
            self.started = now
        steps = self.phases if name in PHASES else self.providers
        step = steps.setdefault(name, Step(name))
        if step.finished and status in FINAL:
            return step  # a repeated final status: the first one stands
        if step.started is None:
            step.started = now
        if status in (MONTH, MONTH_NOT_AVAILABLE):
            month, _, place = (detail or "").partition(" ")
            step.month, (step.done, step.total) = month or None, parse_step(place)
            if status == MONTH_NOT_AVAILABLE and month:
                step.unavailable.append(month)
            step.status = RUNNING
            return step
        if status == STEP or (status == OK and name in (ALERTS, ARCHIVE) and detail):
            done, total = parse_step(detail)
            step.done = done if done is not None else step.done
            step.total = total if total is not None else step.total
            if status == STEP:
                step.status = RUNNING
                return step
        else:
            step.detail = detail
        step.status = status
        if status in FINAL:
            step.ended = now
        return step

    def finish(self) -> None:
        self.ended = self.clock()

    def label(self, name: str) -> str:
        return self.labels.get(name, name)

    @property
    def failed(self) -> list[str]:
        return [s.name for s in (*self.providers.values(), *self.phases.values()) if s.status == FAILED]

    @property
    def seconds(self) -> float | None:
        return None if self.started is None or self.ended is None else self.ended - self.started

    # --- words -----------------------------------------------------------------------------------------------

    def headline(self, f: Formats) -> str:
        """What is happening now, for the status line (``Collecting from providers: 4 of 6 done…``)."""
        t = f.t
        running = [s for s in self.phases.values() if s.status == RUNNING]
        if running:
            phase = running[-1]
            if phase.name == ARCHIVE and phase.done is not None:
                if phase.total:
                    return t("phase_notion_pages_of", done=phase.done, total=phase.total, count=phase.total)
                return t("phase_notion_pages", count=phase.done)
            if phase.name in PHASES:
                return t(f"phase_{phase.name}")
            return t("phase_other", name=phase.name)
        total = len(self.providers)
        done = sum(s.finished for s in self.providers.values())
        if total and done < total:
            return t("phase_providers", done=done, total=total, count=total)
        return t("phase_finishing") if total or self.phases else t("phase_starting")

    def summary(self, f: Formats) -> str:
        """One line for the end: ``6 providers collected in 14 s · Notion archive: 24 pages written``."""
        t = f.t
        ok = [s for s in self.providers.values() if s.status == OK]
        bad = [s for s in self.providers.values() if s.status == FAILED]
        if not self.providers:
            parts = [t("sum_no_provider")]
        elif bad and not ok:
            parts = [t("sum_all_failed", names=f.list(self.label(s.name) for s in bad))]
        elif bad:
            names = f.list(self.label(s.name) for s in bad)
            parts = [t("sum_providers_failed", count=len(ok), done=len(ok), total=len(self.providers), names=names)]
        else:
            parts = [t("sum_providers_ok", count=len(ok))]
        for name, step in self.phases.items():
            status = OK if step.status == RUNNING else step.status  # the collection is over: whatever ran, ended
            if status == SKIPPED or (status == OK and (name == SNAPSHOTS or (name == ALERTS and not step.done))):
                continue  # saving figures happens every time, and no alert is no news: worth a word only if failed
            key = f"sum_{name}_{status}" if name in PHASES and status in (OK, FAILED) else "sum_other"
            key = "sum_notion_synced" if key == "sum_notion_ok" and step.done is None else key
            parts.append(t(key, count=step.done or 0, name=name, status=status))
        if self.seconds:
            parts.append(t("sum_total_time", duration=f.seconds(self.seconds)))
        return " · ".join(parts)

    def details(self, f: Formats) -> list[tuple[str, str, str | None]]:
        """``(status, line, error)`` per provider then per phase; ``error`` is provider text: show it as text."""
        return [self._row(step, f) for step in (*self.providers.values(), *self.phases.values())]

    def row(self, name: str, f: Formats) -> tuple[str, str, str | None]:
        """The details line of one provider or phase."""
        steps = self.phases if name in PHASES else self.providers
        return self._row(steps.get(name) or Step(name), f)

    def _row(self, step: Step, f: Formats) -> tuple[str, str, str | None]:
        t = f.t
        what = t(f"phase_name_{step.name}") if step.name in PHASES else self.label(step.name)
        if step.status == RUNNING and step.month and step.name not in PHASES:
            state = t("detail_month", month=_month(step.month, f), done=step.done or 0, total=step.total or 0)
        elif step.status == RUNNING and step.done is not None:
            state = t("detail_step", count=step.done)
        elif step.status == OK and step.name in (ARCHIVE, ALERTS) and step.done is not None:
            state = t(f"detail_{step.name}_ok", count=step.done)
        elif step.status == OK and step.name not in PHASES:
            state = t("detail_provider_ok")
        elif step.status in (OK, FAILED, SKIPPED, RUNNING):
            state = t(f"detail_{step.status}")
        else:
            state = step.status
        if step.seconds and step.status in (OK, FAILED):
            state += " " + t("sum_in", duration=f.seconds(step.seconds))
        if step.unavailable and step.finished:
            state += " · " + t("detail_unavailable", months=f.list(_month(m, f) for m in step.unavailable))
        error = step.detail if step.status in (FAILED, SKIPPED) else None
        return step.status, t("detail_line", what=what, state=state), error


class CliReporter:
    """The command line's progress on stderr: a line per step as it starts and ends (page counts at most every
    ``every`` seconds), then ``finish()`` prints the one-line summary. Provider names stay the ids one types."""

    def __init__(self, write: Callable[[str], None], f: Formats, *, clock=time.monotonic, every: float = 2.0):
        self.tracker = Tracker(clock=clock)
        self.write, self.f, self.clock, self.every = write, f, clock, every
        self._lock = threading.Lock()
        self._last_step = -every

    def __call__(self, name: str, status: str, detail: str | None = None) -> None:
        with self._lock:
            steps = self.tracker.phases if name in PHASES else self.tracker.providers
            repeated = name in steps and steps[name].finished and status in FINAL
            step = self.tracker(name, status, detail)
            if not repeated:
                line = self._line(step, status)
                if line:
                    self.write(line)

    def _line(self, step: Step, status: str) -> str | None:
        t, f = self.f.t, self.f
        if status in (MONTH, MONTH_NOT_AVAILABLE) and step.month:
            key = "cli_collect_month" if status == MONTH else "cli_collect_month_unavailable"
            return t(key, name=step.name, month=step.month, done=step.done or 0, total=step.total or 0)
        if step.name not in PHASES:
            if status == RUNNING:
                return t("cli_collect_fetching", name=step.name)
            if status == OK:
                return t("cli_collect_ok", name=step.name, duration=f.seconds(step.seconds or 0))
            return t("cli_collect_failed", name=step.name, error=step.detail or status)
        if status == STEP:
            now = self.clock()
            if now - self._last_step < self.every and step.done != step.total:
                return None
            self._last_step = now
            return t("cli_collect_phase", what=self.tracker.headline(f))
        if status == RUNNING:
            return t("cli_collect_phase", what=self.tracker.headline(f))
        _, text, error = self.tracker.row(step.name, f)
        if status == FAILED:
            return t("cli_collect_phase_failed", what=t(f"phase_name_{step.name}"), error=error or status)
        return t("cli_collect_phase", what=text + (f" ({error})" if error else ""))

    def finish(self) -> None:
        with self._lock:
            self.tracker.finish()
            self.write(self.f.t("cli_collect_done", summary=self.tracker.summary(self.f)))


def _month(key: str, f: Formats) -> str:
    """ "2026-08" in the language's words ("August 2026"); anything else as it came."""
    try:
        return f.month(date(int(key[:4]), int(key[5:7]), 1))
    except ValueError:
        return key
