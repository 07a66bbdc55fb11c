"""serve, users, audit: thin shells over the `web` package (Django is imported only here)."""

from __future__ import annotations

import sys

import click

from archive import Archive, DiariumError
from cli.common import archive_option, print_json

ROLE_NAMES = ("läsare", "registrator", "administratör")


def _web(archive: Archive) -> None:
    """Django set up for the archive, its tables up to date; a clear refusal without Django."""
    try:
        import django  # noqa: F401
    except ImportError:
        raise DiariumError(
            "webben kräver Django med flera paket: pip install 'diarium[web]'"
        ) from None
    from web import config

    config.configure(archive)
    config.migrate()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Server processes (default: 2 × cores + 1, at most 8).",
)
@archive_option
def serve(archive: Archive, host: str, port: int, workers: int | None) -> None:
    """Serve the archive's web pages (search, documents, cases, upload, generate) with gunicorn.

    The accounts live in ARCHIVE/web/db.sqlite3, or in PostgreSQL when the archive's
    settings.yaml says `database: postgresql://USER:PASSWORD@HOST/NAME` (or $DIARIUM_DATABASE).
    Make the first account with `diarium users add`.

    \b
    diarium users add anna --role administratör
    diarium serve --port 8000
    """
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        raise DiariumError("diarium serve kräver gunicorn: pip install 'diarium[web]'") from None
    from web.server import serve as run

    click.echo(
        f"diarium: serverar {archive.root} på http://{host}:{port}/ (Ctrl-C avslutar)", err=True
    )
    run(archive, host=host, port=port, workers=workers)


@click.group()
def users() -> None:
    """The web accounts: add, list, token."""


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Lösenord", hide_input=True, confirmation_prompt="Lösenord igen", err=True)


@users.command("add")
@click.argument("name")
@click.option(
    "--role", type=click.Choice(ROLE_NAMES), required=True, help="What the account may do."
)
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)
@click.option(
    "--clearance", is_flag=True, help="May see secret-marked documents and unmasked personal data."
)
@archive_option
def users_add(
    archive: Archive, name: str, role: str, password_stdin: bool, clearance: bool
) -> None:
    """Add an account (läsare reads, registrator also files and generates, administratör also
    manages accounts and reads the audit log).

    \b
    diarium users add anna --role administratör
    printf '%s\\n' "$LOSEN" | diarium users add kalle --role läsare --password-stdin
    """
    _web(archive)
    from web import accounts, audit

    accounts.add_user(name, role, _read_password(password_stdin), clearance=clearance)
    audit.record(
        "(kommandorad)", "account", name, {"made": True, "role": role, "clearance": clearance}
    )
    click.echo(f"kontot {name} är skapat ({role}{', behörig för sekretess' if clearance else ''})")


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@archive_option
def users_list(archive: Archive, as_json: bool) -> None:
    """List the accounts with role, clearance and last login."""
    _web(archive)
    from web import accounts

    items = accounts.accounts()
    if as_json:
        print_json([a.to_dict() for a in items])
        return
    for a in items:
        extra = [
            x
            for x, on in (
                ("behörig", a.clearance),
                ("inaktivt", not a.active),
                ("API-nyckel", a.has_token),
            )
            if on
        ]
        click.echo(
            f"{a.name:<20} {a.role:<14} {', '.join(extra):<30} {a.last_login or 'aldrig inloggad'}"
        )


@users.command("token")
@click.argument("name")
@archive_option
def users_token(archive: Archive, name: str) -> None:
    """Print a new API token for NAME (an earlier one stops working). Send it as
    `Authorization: Bearer TOKEN`.

    \b
    curl -H "Authorization: Bearer $(diarium users token anna)" 'http://127.0.0.1:8000/api/search?q=bistånd'
    """
    _web(archive)
    from web import accounts, audit

    token = accounts.new_token(name)
    audit.record("(kommandorad)", "account", name, {"token": "ny"})
    click.echo(token)


@click.command()
@click.option("--account", help="Only this account's events.")
@click.option("--action", help="Only this kind of event, e.g. login, search, view, download.")
@click.option("--limit", type=click.IntRange(min=1), help="Only the newest N events.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@archive_option
def audit(
    archive: Archive, account: str | None, action: str | None, limit: int | None, as_json: bool
) -> None:
    """The web's audit log, newest first: every login, search, view, download, upload, change.

    \b
    diarium audit --limit 20
    diarium audit --account anna --action view --json
    """
    _web(archive)
    from web import audit as log

    items = log.events(account=account, action=action, limit=limit)
    if as_json:
        print_json([e.to_dict() for e in items])
        return
    for e in items:
        detail = ", ".join(f"{k}={v}" for k, v in e.detail.items())
        when = e.at.isoformat(timespec="seconds")
        click.echo(f"{when}  {e.account:<16} {e.action:<14} {e.target}  {detail}".rstrip())


COMMANDS = [serve, users, audit]
