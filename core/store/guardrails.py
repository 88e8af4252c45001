"""Budgets, alerts already sent, anomaly flags (issue 14).

Tables defined here register on ``core.store.schema.metadata``."""
