"""The office's pages: search, read, follow a case, file and generate, with accounts, rights and
an audit log. Django (its accounts, sessions, CSRF protection, password hashing and forms) on
SQLite in the archive folder, or PostgreSQL as a setting; the archive stays the truth.

Nothing here imports Django at import time: `configure(archive)` sets Django up for one archive
(the `diarium serve`, `users` and `audit` commands call it before anything else).
"""

from web.config import configure

__all__ = ["configure"]
