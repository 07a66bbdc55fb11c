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
@click.option("--host", default="127.0.0.1", show_default=True, help="Adressen att lyssna på.")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Porten."
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Serverprocesser (standard: 2 × kärnor + 1, högst 8).",
)
@archive_option
def serve(archive: Archive, host: str, port: int, workers: int | None) -> None:
    """Visa arkivets webbsidor (sök, dokument, ärenden, uppladdning, generering) med gunicorn.

    Kontona finns i ARKIV/web/db.sqlite3, eller i PostgreSQL när arkivets settings.yaml säger
    `database: postgresql://ANVÄNDARE:LÖSENORD@VÄRD/NAMN` (eller $DIARIUM_DATABASE). Skapa det
    första kontot med `diarium users add`.

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
    """Webbens konton: add, list, token.

    \b
    diarium users add anna --role administratör
    diarium users list
    """


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Lösenord", hide_input=True, confirmation_prompt="Lösenord igen", err=True)


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLE_NAMES), required=True, help="Vad kontot får göra.")
@click.option("--password-stdin", is_flag=True, help="Läs lösenordet från första raden på stdin.")
@click.option(
    "--clearance",
    is_flag=True,
    help="Får se sekretessmarkerade dokument och omaskerade personuppgifter.",
)
@archive_option
def users_add(
    archive: Archive, name: str, role: str, password_stdin: bool, clearance: bool
) -> None:
    """Lägg till ett konto (läsare läser, registrator arkiverar och genererar också,
    administratör hanterar också konton och läser granskningsloggen).

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
@click.option("--json", "as_json", is_flag=True, help="Skriv som JSON.")
@archive_option
def users_list(archive: Archive, as_json: bool) -> None:
    """Lista kontona med roll, behörighet och senaste inloggning."""
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
    """Skriv ut en ny API-nyckel för NAME (en tidigare slutar gälla). Skicka den som
    `Authorization: Bearer NYCKEL`.

    \b
    curl -H "Authorization: Bearer $(diarium users token anna)" 'http://127.0.0.1:8000/api/search?q=bistånd'
    """
    _web(archive)
    from web import accounts, audit

    token = accounts.new_token(name)
    audit.record("(kommandorad)", "account", name, {"token": "ny"})
    click.echo(token)


@click.command()
@click.option("--account", help="Bara detta kontos händelser.")
@click.option("--action", help="Bara denna sorts händelse, t.ex. login, search, view, download.")
@click.option("--limit", type=click.IntRange(min=1), help="Bara de N senaste händelserna.")
@click.option("--json", "as_json", is_flag=True, help="Skriv som JSON.")
@archive_option
def audit(
    archive: Archive, account: str | None, action: str | None, limit: int | None, as_json: bool
) -> None:
    """Webbens granskningslogg, senaste först: varje inloggning, sökning, visning, nedladdning,
    uppladdning och ändring.

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
