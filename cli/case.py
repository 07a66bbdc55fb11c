"""case: a thin shell over `indexer.cases.find_case`."""

from __future__ import annotations

import click

from archive import Archive, DiariumError
from cli.common import archive_option, print_json
from cli.search import _print_hit, _raise_if_empty
from indexer import IndexUnavailable
from indexer.cases import Case, find_case

_DECISION_LINES = 4


@click.command()
@click.argument("number", nargs=-1, required=True)
@click.option(
    "--related",
    type=click.IntRange(0, 100),
    default=5,
    show_default=True,
    help="Hur många liknande dokument som visas (0: inga).",
)
@click.option("--json", "as_json", is_flag=True, help="Skriv ut resultatet som JSON.")
@archive_option
def case(archive: Archive, number: tuple[str, ...], related: int, as_json: bool) -> None:
    """Visa ett ärende: alla dokument med samma diarienummer, äldst först, och liknande dokument.

    Diarienumret jämförs oberoende av skrivsätt: KS 2023-730, KS-2023-00730 och 2023/730 KS
    är samma nummer. Varje dokument visas med sitt beslut eller förslag till beslut.
    Slutstatus 1 när inget dokument har numret.

    \b
    diarium case KS 2023-730
    diarium case "2021.004 KUN" --related 0
    diarium case KS-2023-00730 --json | jq -r '.documents[].id'
    """
    typed = " ".join(number)
    try:
        found = find_case(archive, typed, related=related)
    except IndexUnavailable:
        _raise_if_empty(archive)
        raise
    if not found.documents:
        _raise_if_empty(archive)
        raise DiariumError(f"inget dokument har diarienummer {typed!r} (jämfört som {found.key})")
    if as_json:
        print_json(found.to_dict())
        return
    _print_case(found)


def _print_case(found: Case) -> None:
    count = len(found.documents)
    click.echo(
        click.style(f"Ärende {found.number}", bold=True) + f": {count} dokument, äldst först"
    )
    for entry in found.documents:
        doc = entry.document
        click.echo("")
        click.echo(click.style(f"{doc.date or 'utan datum'}  {doc.kind}", bold=True))
        click.echo(f"   {doc.title or doc.source}")
        about = [doc.case_number, doc.municipality, doc.board]
        click.echo("   " + " · ".join(a for a in about if a))
        if entry.decision:
            click.echo(f"   {entry.decision['heading']}:")
            for line in entry.decision["text"].splitlines()[:_DECISION_LINES]:
                click.echo(f"     {_shorten(' '.join(line.split()), 160)}")
        click.echo(click.style(f"   {doc.id}  {doc.source}", dim=True))
    if found.related:
        click.echo("")
        click.echo(click.style("Liknande dokument", bold=True))
        for number, hit in enumerate(found.related, start=1):
            _print_hit(number, hit)


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + " …"


COMMANDS = [case]
