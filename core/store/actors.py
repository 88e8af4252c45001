"""Names of Apify actors and tasks, kept so pages show names instead of ids (issue 12).

Tables defined here register on ``core.store.schema.metadata``."""
