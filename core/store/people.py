"""Who may do what: identities mapped to scraper-run user ids, and the record of who did what (issue 13).

Tables defined here register on ``core.store.schema.metadata``."""
