"""What the app looks like on phones, and its icon, served by the app itself (no font or icon CDN).

``streamlit_app.py`` calls, once per run, right after ``st.set_page_config(page_icon=style.FAVICON, ...)``::

    style.apply()

- The sidebar closes after choosing a page on a narrow screen. Streamlit closes it only for browsers that say they
  are phones (user agent); a narrow window, a tablet or a phone asking for the desktop site kept it over the page.
- Table toolbars (always shown on touch screens) get room above their table instead of covering the caption there.
- Charts keep their mode bar in the top margin, clear of legends (``core.charts`` puts legends below the plot).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

FAVICON = Path(__file__).resolve().parents[2] / "static" / "favicon.png"  # absolute: the app may run from anywhere
PHONE = 768  # px: Streamlit's own breakpoint for the overlay sidebar

CSS = f"""
@media (hover: none), (max-width: {PHONE}px) {{
  /* A table's toolbar sits above the table: make room so it does not cover the caption there. */
  [data-testid="stElementContainer"]:has(> [data-testid="stDataFrame"]),
  [data-testid="stElementContainer"]:has(> div > [data-testid="stDataFrame"]) {{ margin-top: 3rem; }}
}}
/* A collection's one-line summary (a pop-over's label) reads like a line of text when it wraps. */
[data-testid="stPopover"] button p {{ text-align: left; }}
/* The helper element that carries the script below takes no room. */
[data-testid="stElementContainer"]:has(#spendboard-phone) {{ display: none; }}
"""

# Close the overlay sidebar after a page is chosen on a narrow screen (the check runs after Streamlit's own, so a
# sidebar Streamlit already closed is left alone). Installed once per page load.
SCRIPT = f"""
<span id="spendboard-phone"></span>
<script>
(function () {{
  var root = document.documentElement;
  if (root.dataset.spendboardPhone) return;
  root.dataset.spendboardPhone = "1";
  document.addEventListener("click", function (event) {{
    var link = event.target && event.target.closest && event.target.closest('[data-testid="stSidebarNavLink"]');
    if (!link || window.innerWidth > {PHONE}) return;
    setTimeout(function () {{
      var bar = document.querySelector('[data-testid="stSidebar"]');
      var close = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
      if (bar && bar.getAttribute("data-collapsed") === "false" && close) close.click();
    }}, 200);
  }}, true);
}})();
</script>
"""


def apply() -> None:
    """The phone CSS (in Streamlit's event container: it takes no room) and the sidebar script."""
    st.html(f"<style>{CSS}</style>")
    st.html(SCRIPT, unsafe_allow_javascript=True)
