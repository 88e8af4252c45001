"""Streamlit glue shared by the entry script and the pages (the rest of ``core`` never imports Streamlit)."""
