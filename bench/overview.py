"""The Overview page's full script run under Streamlit's AppTest, warm, median of N.

    python bench/overview.py --database-url sqlite:///bench/.data/bench.db [--repeat 20]

Runs ``streamlit_app.py`` (navigation, access check, then ``pages/overview.py``) against the given database with no
provider keys and no password, as a first-time visitor would see it. The first run (imports, services, caches) is
reported separately as "cold". Medians are over the following reruns, twice: with the app's cache of the Overview's
figures warm (``core.ui.cached``, 60 s: a widget change back to a recent selection), and with that cache cleared
before each rerun (the process is warm but every figure is computed: a first view, after a write, or once the cache
expired). Two selections: the defaults (period ``week``, range ``30d``) and the heaviest one (``all``, ``90d``).
Then each database call the page makes is timed on its own, to show where the time goes. The page uses the real
UTC date, so generate the data ending today.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")  # no "missing ScriptRunContext" noise

from _common import ROOT, absolute_url, backend, machine, median, ms, save, table, timed

from core import dashboard
from core.charts import spending_area
from core.coverage import coverage
from core.demo import has_demo_data
from core.periods import period_window, utc_today
from core.store import collections
from core.store.db import open_store
from core.store.spend import first_activity

CLEAR = (
    "APIFY_TOKEN",
    "OPENAI_ADMIN_KEY",
    "ANTHROPIC_ADMIN_KEY",
    "ELEVENLABS_API_KEY",
    "DEEPGRAM_API_KEY",
    "OPENROUTER_MANAGEMENT_KEY",
    "APP_PASSWORD",
    "REPORT_SECRET_TOKEN",
    "APP_LANGUAGE",
)


def page_runs(url: str, repeat: int) -> dict:
    from streamlit.testing.v1 import AppTest

    os.environ["DATABASE_URL"] = url
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    t0 = time.perf_counter()
    at.run()
    cold = time.perf_counter() - t0
    assert not at.exception, at.exception
    assert at.metric and at.metric[0].label == "Total spent", "the Overview did not render its card"
    try:  # the app's short-lived cache of the Overview's figures, where the checkout has one
        from core.ui.cached import clear as clear_cache
    except ImportError:
        clear_cache = None
    out = {"cold_ms": cold * 1000, "app_cache": clear_cache is not None, "selections": []}
    for period, range_ in (("week", "30d"), ("all", "90d")):
        at.selectbox(key="period").set_value(period)
        at.selectbox(key="range").set_value(range_)
        at.run()
        assert not at.exception, at.exception
        entry = {"period": period, "range": range_}
        # "hit": reruns within the cache's lifetime (a widget change back and forth); "miss": the process is warm
        # but the figures are not cached (first view of a selection, after a write, or once the TTL passed).
        for kind in ("hit", "miss"):
            times = []
            for _ in range(repeat):
                if kind == "miss" and clear_cache:
                    clear_cache()
                t0 = time.perf_counter()
                at.run()
                times.append(time.perf_counter() - t0)
            assert not at.exception, at.exception
            entry[f"{kind}_median_ms"] = median(times) * 1000
            entry[f"{kind}_min_ms"] = min(times) * 1000
            entry[f"{kind}_max_ms"] = max(times) * 1000
        entry["metric"] = at.metric[0].value
        out["selections"].append(entry)
    return out


def attribution(url: str, repeat: int) -> list[dict]:
    """Each database call the page makes, timed alone (median), for the two selections."""
    store = open_store(url)
    today = utc_today()
    labels = {"cost": "Cost", "runs": "Runs", "requests": "Requests"}
    points = {r: dashboard.chart(store, r, today) for r in ("30d", "90d")}
    calls = [
        ("first_activity", lambda: first_activity(store)),
        ("has_demo_data", lambda: has_demo_data(store)),
        ("collections.last_run", lambda: collections.last_run(store)),
        ("dashboard.kpi(week) [2 totals]", lambda: dashboard.kpi(store, "week", today)),
        ("dashboard.kpi(all)", lambda: dashboard.kpi(store, "all", today)),
        ("coverage(week)", lambda: coverage(store, *period_window("week", today))),
        ("coverage(all)", lambda: coverage(store, *period_window("all", today))),
        ("dashboard.chart(30d)", lambda: dashboard.chart(store, "30d", today)),
        ("dashboard.chart(90d)", lambda: dashboard.chart(store, "90d", today)),
        ("spending_area figure (30 points)", lambda: spending_area(points["30d"], labels)),
        ("spending_area figure (90 points)", lambda: spending_area(points["90d"], labels)),
    ]
    out = []
    for name, fn in calls:
        out.append({"call": name, "median_ms": median(timed(fn, repeat)) * 1000})
    store.dispose()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    args.database_url = absolute_url(args.database_url)
    for var in CLEAR:
        os.environ.pop(var, None)
    kind = backend(args.database_url)
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)  # no .streamlit/secrets.toml: exactly the environment given here
        try:
            result = page_runs(args.database_url, args.repeat)
        finally:
            os.chdir(here)
    result["calls"] = attribution(args.database_url, args.repeat)
    print(
        f"\n{kind}: Overview full script run (AppTest), cold {ms(result['cold_ms'] / 1000)} ms, "
        f"warm median of {args.repeat}"
    )
    rows = [
        [
            f"{s['period']} / {s['range']}",
            ms(s["hit_median_ms"] / 1000),
            ms(s["miss_median_ms"] / 1000),
            f"{ms(s['miss_min_ms'] / 1000)} - {ms(s['miss_max_ms'] / 1000)}",
            "yes" if s["miss_median_ms"] < 300 else "no",
        ]
        for s in result["selections"]
    ]
    headers = ["period / range", "warm, cached ms", "warm, not cached ms", "not cached min - max ms", "< 300 ms"]
    if not result["app_cache"]:
        print("(this checkout has no cache of the Overview's figures: both columns measure the same thing)")
    print(table(headers, rows))
    print(
        table(["call the page makes", "median ms"], [[c["call"], ms(c["median_ms"] / 1000)] for c in result["calls"]])
    )
    save(f"overview_{kind}", {"machine": machine(), "backend": kind, "repeat": args.repeat, **result})


if __name__ == "__main__":
    main()
