"""The web front end: a FastAPI application (JSON API + one page) over the lab's store.

thermidor serve --port 8000        # http://127.0.0.1:8000/
"""

from thermidor.web.app import create_app

__all__ = ["create_app"]
