"""The routes and middleware ``streamlit_app.py`` hands to ``st.App``."""

from starlette.middleware import Middleware

from core.web.gate import Gate
from core.web.routes import routes

ROUTES = routes()  # built when streamlit_app.py is imported, after Streamlit has read its configuration
MIDDLEWARE = [Middleware(Gate)]

__all__ = ["MIDDLEWARE", "ROUTES"]
