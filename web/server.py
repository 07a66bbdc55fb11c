"""`diarium serve`: the pages under gunicorn, a production WSGI server (Django's own
`runserver` is for development only), on the archive the command was given."""

from __future__ import annotations

import os
from typing import Any

from archive import Archive
from web import config, searching


def default_workers() -> int:
    """gunicorn's advice, 2 × cores + 1, capped: each worker keeps its own open index."""
    return min(2 * (os.cpu_count() or 1) + 1, 8)


def serve(archive: Archive, *, host: str, port: int, workers: int | None = None) -> None:
    """Set Django up for the archive, bring the accounts tables up to date, then serve until
    stopped. The application is loaded once, before the workers are forked."""
    from django.core.wsgi import get_wsgi_application
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    hosts = [host, *[str(h) for h in archive.settings.get("web_hosts") or []]]
    config.configure(archive, hosts=hosts)
    config.migrate()
    # The synonyms loaded once, before the workers are forked; each opens its own readers.
    searching.index(archive)
    connections.close_all()
    application = get_wsgi_application()

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options: dict[str, Any] = {
                "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
                "workers": workers or default_workers(),
                "worker_class": "sync",
                "timeout": 300,  # an upload is read in the request; PDF/A takes LibreOffice
                "graceful_timeout": 10,
                "loglevel": "warning",
                "preload_app": True,
                "proc_name": "diarium-serve",
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    Server().run()
