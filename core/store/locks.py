"""Locks held in the database, so one collection, back-fill or send runs at a time across processes (issue 10).

Tables defined here register on ``core.store.schema.metadata``."""
