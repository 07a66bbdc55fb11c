"""Django's database sessions, with the one read every request makes written out as SQL.

Every page loads its session; through the ORM, building and compiling that query took several
times the CPU of running it. The statement here is the one the ORM makes (the key, and an expiry
still ahead); decoding and checking the session's signature stay Django's, and so does every
write (login, logout, renewal).
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def load(self) -> dict[str, Any]:
        connection = connections[router.db_for_read(self.model)]
        ops = connection.ops
        table = ops.quote_name(self.model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",
                [self.session_key, ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cursor.fetchone()
        if row is None:  # none, or expired: a new session gets a new key, as in Django's load
            self._session_key = None
            return {}
        data: dict[str, Any] = self.decode(row[0])
        return data
