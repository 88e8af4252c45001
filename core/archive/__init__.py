"""The Notion archive's parts; ``core.notion`` is the public surface.

api.py          paced, bounded-retry calls through notion-client, errors as one-line ``NotionError``
databases.py    the two databases' columns; create them, or add missing columns to hand-made ones
properties.py   page property values: plain finite numbers, breakdown JSON split into rich-text pieces
pages.py        upsert one month's pages (page ids kept in SQL, title + provider query as fallback)
"""
