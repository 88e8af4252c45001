"""The email outbox: each message stored before its first attempt, so a retry sends exactly it (issue 12).

Tables defined here register on ``core.store.schema.metadata``."""
