"""What every command shares: the archive option and how output is printed."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

from archive import Archive
from archive import messages as msg

F = TypeVar("F", bound=Callable[..., Any])


def _archive_from_option(
    ctx: click.Context, _param: click.Parameter, value: Path | None
) -> Archive:
    # `diarium --archive DIR cmd` and `diarium cmd --archive DIR` both work; the nearer one wins,
    # and either beats $DIARIUM_ARCHIVE.
    typed = ctx.get_parameter_source("archive") == click.core.ParameterSource.COMMANDLINE
    if not typed and ctx.parent is not None:
        value = ctx.find_root().params.get("archive_root") or value
    return Archive(value)


def archive_option(func: F) -> F:
    """`--archive DIR` (or $DIARIUM_ARCHIVE, or the user data folder) as `archive: Archive`."""
    return click.option(
        "--archive",
        "archive",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="DIARIUM_ARCHIVE",
        callback=_archive_from_option,
        help="Arkivmappen (standard: $DIARIUM_ARCHIVE eller användarens datamapp).",
    )(func)


def filter_options(func: F) -> F:
    """`--municipality/-m` (repeatable), `--board`, `--kind` and `--year`: the filters `list`
    and `search` share, declared once (as sqlite-utils shares `output_options`)."""
    options = (
        click.option(
            "--municipality",
            "-m",
            "municipalities",
            multiple=True,
            help="Bara denna kommun (kan upprepas).",
        ),
        click.option("--board", help="Bara denna nämnd, t.ex. socialnämnden eller SN."),
        click.option(
            "--kind",
            help='Bara denna dokumenttyp, t.ex. yttrande eller "svar på revisionsrapport".',
        ),
        click.option("--year", help="Bara detta år eller intervall, t.ex. 2021 eller 2021..2023."),
    )
    for option in reversed(options):
        func = option(func)
    return func


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def print_json_items(items: Iterable[Any]) -> None:
    """print_json(list(items)), each item printed as it comes: a long list starts at once."""
    first = True
    for item in items:
        text = json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        click.echo(f"{'[' if first else ','}\n  {text}", nl=False)
        first = False
    click.echo("[]" if first else "\n]")


def warn(message: str) -> None:
    click.echo(message, err=True)


def confirm(question: str) -> bool:
    """Yes only for j/ja (or y/yes); Click's own confirm knows only y/n, which a Swedish
    question cannot offer."""
    answer = click.prompt(f"{question} {msg.YES_NO}", default="", show_default=False, err=True)
    return answer.strip().casefold() in msg.YES_ANSWERS


def color_enabled() -> bool:
    return sys.stdout.isatty()


def resolve_filters(
    archive: Archive,
    *,
    municipalities: Iterable[str] = (),
    board: str | None = None,
    kind: str | None = None,
) -> tuple[list[str], str | None, str | None]:
    """Filter values in any form (`lekeberg`, `Göteborgs Stad`, `SN`) as the archive stores
    them; a value naming nothing known stops the command with the closest names.

    Names only the archive's own documents carry (set by hand) are looked up in the catalogue
    when the shipped data does not know a name; no record is read.
    """
    from archive import names

    def resolved(resolve: Callable[..., str], value: str, field: str) -> str:
        profiles = archive.profiles()  # read once, and for a municipality or board only
        try:
            return resolve(profiles, value)
        except names.FilterError:
            return resolve(profiles, value, archive.catalogue.names(field))

    places = [resolved(names.municipality, m, "municipality") for m in municipalities if m.strip()]
    organ = resolved(names.board, board, "board") if board else None
    return places, organ, names.kind(kind) if kind else None


def note_left_out(unknown: dict[str, int]) -> None:
    """Say on stderr how many documents a year or kind filter left out for an unknown value."""
    what = {"year": "utan känt år", "kind": "utan känd dokumenttyp"}
    for key, count in unknown.items():
        if count:
            warn(f"{count} dokument {what[key]} kom inte med (filtret kan inte avgöra dem)")


def ocr_mark(page: dict[str, Any], *, short: bool = False) -> str:
    """How a page read by OCR is marked wherever its text is shown: misreadings are possible."""
    if page.get("error"):
        return "OCR misslyckades" if not short else "misslyckades"
    confidence = page.get("confidence")
    sure = "tom sida" if confidence is None else f"säkerhet {confidence:g}".replace(".", ",")
    if page.get("uncertain"):
        sure += ", osäker"
    return sure if short else f"OCR, {sure}"
