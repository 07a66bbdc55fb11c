"""Django's settings for one archive, built in code instead of a settings module so that one
process serves the archive it was started on (`diarium --archive DIR serve`)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from archive import Archive, DiariumError

DATABASE_ENV = "DIARIUM_DATABASE"  # beats the archive's `database` setting
SESSION_SECONDS = 2 * 3600  # idle time after which a session has expired
SESSION_REFRESH_SECONDS = 60  # how often an active session's expiry is renewed (a database write)
LOCKOUT_FAILURES = 5  # failed logins in LOCKOUT_SECONDS that lock an account name
LOCKOUT_SECONDS = 15 * 60
# How long a server process keeps its database connection between requests: opening one (and,
# on SQLite, setting its journal mode) costs more CPU than the queries of a search.
CONNECTION_SECONDS = 600

_configured: Path | None = None


def web_dir(archive: Archive) -> Path:
    """ARCHIVE/web: the accounts database (SQLite) and the secret key of the sessions."""
    return archive.root / "web"


def _secret_key(folder: Path) -> str:
    """One random key per archive, made on first use and kept private (0600)."""
    path = folder / "secret_key"
    if path.is_file():
        return path.read_text("ascii").strip()
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def database_settings(archive: Archive) -> dict[str, Any]:
    """SQLite in ARCHIVE/web, or the PostgreSQL database named by $DIARIUM_DATABASE or the
    archive's `database` setting: postgresql://USER:PASSWORD@HOST:PORT/NAME (a socket folder as
    ?host=/var/run/postgresql)."""
    url = os.environ.get(DATABASE_ENV) or str(archive.settings.get("database") or "")
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(web_dir(archive) / "db.sqlite3"),
            # Several server processes write sessions and the audit log: wait for the lock,
            # take it at the start of a transaction, and let readers go on meanwhile (WAL).
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise DiariumError(
            f"databas {url!r}: bara postgresql://ANVÄNDARE:LÖSENORD@VÄRD:PORT/NAMN stöds"
        )
    query = parse_qs(parts.query)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": query.get("host", [parts.hostname or ""])[0],
        "PORT": str(parts.port or ""),
    }


def build_settings(archive: Archive, hosts: list[str] | None = None) -> dict[str, Any]:
    folder = web_dir(archive)
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "DEBUG": False,
        "SECRET_KEY": _secret_key(folder),
        "ALLOWED_HOSTS": ["127.0.0.1", "localhost", "[::1]", *(hosts or [])],
        "INSTALLED_APPS": [
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "web",
        ],
        "MIDDLEWARE": [
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "web.middleware.SessionRefresh",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
            "web.middleware.LoginRequired",
        ],
        "ROOT_URLCONF": "web.urls",
        "TEMPLATES": [
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                        "web.views.account_context",
                    ]
                },
            }
        ],
        "DATABASES": {
            "default": database_settings(archive)
            | {"CONN_MAX_AGE": CONNECTION_SECONDS, "CONN_HEALTH_CHECKS": True}
        },
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "LANGUAGE_CODE": "sv",
        "TIME_ZONE": "Europe/Stockholm",
        "USE_I18N": True,
        "USE_TZ": True,
        "AUTHENTICATION_BACKENDS": ["web.backends.ProfileBackend"],
        "LOGIN_URL": "/logga-in",
        "LOGIN_REDIRECT_URL": "/",
        # Django's current default hasher (PBKDF2-SHA256, 1,000,000 rounds in 5.2); the others
        # only read older hashes.
        "PASSWORD_HASHERS": [
            "django.contrib.auth.hashers.PBKDF2PasswordHasher",
            "django.contrib.auth.hashers.ScryptPasswordHasher",
        ],
        "AUTH_PASSWORD_VALIDATORS": [
            {
                "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
                "OPTIONS": {"min_length": 10},
            },
            {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
        ],
        "SESSION_ENGINE": "web.sessions",
        "SESSION_COOKIE_AGE": SESSION_SECONDS,
        "SESSION_SAVE_EVERY_REQUEST": False,  # web.middleware.SessionRefresh renews instead
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_HTTPONLY": True,
        "CSRF_FAILURE_VIEW": "web.views.csrf_failure",
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "DATA_UPLOAD_MAX_NUMBER_FILES": 1000,
        "FILE_UPLOAD_MAX_MEMORY_SIZE": 5 * 1024 * 1024,
        "LOGGING_CONFIG": None,
        "DIARIUM_ARCHIVE": str(archive.root),
    }


def configure(archive: Archive, hosts: list[str] | None = None) -> None:
    """Set Django up for this archive (once per process) and bring its tables up to date."""
    global _configured
    import django
    from django.conf import settings

    if _configured is not None:
        if _configured != archive.root:
            raise DiariumError(f"webben är redan inställd för arkivet {_configured}")
        return
    settings.configure(**build_settings(archive, hosts))
    django.setup()
    _configured = archive.root


def migrate() -> None:
    """Create or upgrade the accounts and audit tables (run by `serve`, `users` and `audit`)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def archive() -> Archive:
    """The archive this process serves."""
    from django.conf import settings

    return Archive(settings.DIARIUM_ARCHIVE)
