"""Spendboard's own HTTP layer around Streamlit's (``st.App`` routes and middleware, see ``streamlit_app.py``).

- ``keys``: signed, expiring cookies (itsdangerous) for password sign-ins and report links.
- ``sign_in``: the rules both layers share: is this cookie a live sign-in, is this a valid report link.
- ``throttle``: wrong passwords and report tokens slow their sender down.
- ``routes``: ``/auth/password`` (the password form) and ``/auth/sign-out``.
- ``gate``: the middleware: swaps a report link's ``?token=`` for a cookie, sends page loads to the password form,
  answers Streamlit's revealing endpoints (``/_stcore/metrics`` ...) only to a signed-in browser.
"""

from core.web.server import MIDDLEWARE, ROUTES

__all__ = ["MIDDLEWARE", "ROUTES"]
