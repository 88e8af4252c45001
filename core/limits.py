"""Bounds on user-supplied sizes, shared by the command line, the pages and the functions they call."""

MAX_BACKFILL_DAYS = 3650  # ten years of Apify runs
MAX_RUNS_LIMIT = 10_000  # runs listed in one page
