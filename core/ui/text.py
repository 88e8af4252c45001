"""Showing text that is data (a provider's error body, an email address, a model name) on a page.

Most Streamlit elements (``st.write``, ``st.markdown``, ``st.caption``, ``st.error``, labels, ``help``) read their
text as Markdown: a provider's 401 body with ``![x](http://…)`` would make every viewer's browser fetch that image,
``<reports@example.com>`` would vanish as an HTML tag, ``:red[…]`` and ``$…$`` would turn into colour and maths.
Show such text with ``st.text``/``st.code``/a dataframe, or pass it through ``escape`` first.
"""

from __future__ import annotations

import re

# Every ASCII punctuation character may be backslash-escaped in CommonMark; these are the ones that can start
# Markdown, HTML, a link or image, Streamlit's :colour[...] directives and :icons:, or LaTeX.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&\"'=^])")


def escape(text: str) -> str:
    """Text that Markdown shows exactly as written (line breaks become spaces; no-break spaces are kept)."""
    one_line = re.sub(r"[ \t]*[\r\n]+[ \t]*", " ", str(text)).strip(" \t")
    return _SPECIAL.sub(r"\\\1", one_line)
