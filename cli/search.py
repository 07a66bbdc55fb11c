"""search and reindex: thin shells over `indexer.Index` and `indexer.archive_sync`."""

from __future__ import annotations

import sys
import time

import click

from archive import Archive, DiariumError, privacy
from archive.safenames import printable
from cli.common import archive_option, note_left_out, ocr_mark, print_json, resolve_filters, warn
from indexer import Hit, IndexUnavailable, SearchResult
from indexer.archive_sync import index_of, mark_ocr, personal_token, rebuild_from_archive
from indexer.query import FIELDS

_MARK = {"fg": "yellow", "bold": True}


@click.command()
@click.argument("query", nargs=-1)
@click.option(
    "--municipality",
    "-m",
    "municipalities",
    multiple=True,
    help="Only this municipality (repeatable).",
)
@click.option("--board", help="Only this board (nämnd), e.g. socialnämnden.")
@click.option("--kind", help='Only this kind, e.g. yttrande or "svar på revisionsrapport".')
@click.option("--year", help="Only this year or range, e.g. 2021 or 2021..2023.")
@click.option("--from", "date_from", metavar="DATE", help="Dated on or after (YYYY[-MM[-DD]]).")
@click.option("--to", "date_to", metavar="DATE", help="Dated on or before (YYYY[-MM[-DD]]).")
@click.option(
    "--sort",
    type=click.Choice(["relevance", "date"]),
    default="relevance",
    show_default=True,
    help="Best match first, or newest first.",
)
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--facets", is_flag=True, help="Count matches by municipality, year and kind.")
@click.option(
    "--personal",
    metavar="PERSONNUMMER",
    help="Bara dokument som innehåller detta personnummer eller samordningsnummer.",
)
@click.option(
    "--cleared",
    is_flag=True,
    help="Sök även i sekretessmarkerade dokument och sidor (för den som har behörighet).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--explain",
    is_flag=True,
    help="Show what the query was expanded to: compound parts, forms without å ä ö, synonyms.",
)
@archive_option
def search(
    archive: Archive,
    query: tuple[str, ...],
    municipalities: tuple[str, ...],
    board: str | None,
    kind: str | None,
    year: str | None,
    date_from: str | None,
    date_to: str | None,
    sort: str,
    limit: int,
    page: int,
    facets: bool,
    personal: str | None,
    cleared: bool,
    as_json: bool,
    explain: bool,
) -> None:
    """Search the archive's text and metadata.

    All words must match unless OR is used. Inflected forms find each other (nämnd, nämnden,
    nämnderna); "quotes" for a phrase; -word or NOT word to exclude; (groups); field:value.
    A word also finds compounds it is part of (stöd: försörjningsstöd), the same word typed
    without å ä ö, and its synonyms and abbreviations (AME: Arbetsmarknadsenheten), ranked
    below the word as typed; a query that finds almost nothing is tried respelled.

    \b
    diarium search långvarigt försörjningsstöd --year 2021..2023
    diarium search '"ekonomiskt bistånd" -Uppsala' --facets
    diarium search 'kind:yttrande OR kind:"svar på revisionsrapport"' --sort date
    diarium search "KS 2023-730" --json | jq -r '.hits[].id'
    diarium search --personal 19811218-9876

    Personnummer are never shown in snippets nor found as text: --personal finds the
    documents that hold one. Secret-marked pages and documents are left out unless --cleared.

    \b
    Fields: FIELDS_HELP
    """
    text = " ".join(query)
    municipalities, board, kind = resolve_filters(  # type: ignore[assignment]
        archive, municipalities=municipalities, board=board, kind=kind
    )
    index = index_of(archive)
    try:
        result = index.search(
            text,
            municipalities=municipalities,
            board=board,
            kind=kind,
            year=year,
            date_from=date_from,
            date_to=date_to,
            sort=sort,
            limit=limit,
            page=page,
            facets=facets,
            cleared=cleared,
            personal=[personal_token(archive, personal)] if personal else (),
        )
    except IndexUnavailable:
        _raise_if_empty(archive)
        raise
    finally:
        index.close()
    if result.total == 0:
        _raise_if_empty(archive)
    note_left_out(result.unknown)
    mark_ocr(archive, result)
    # What was typed is echoed masked too: the output may be pasted where the number must not be.
    kinds = privacy.masked_kinds(archive.settings)
    result.query = privacy.mask_string(result.query, kinds)
    result.expanded = privacy.mask_string(result.expanded, kinds)
    if as_json:
        data = result.to_dict()
        if explain:
            data["explain"] = result.expanded
        print_json(data)
        return
    if explain:
        click.echo(f"Searched as: {result.expanded}")
    if result.corrected is not None:
        click.echo(f"Visar resultat för {result.corrected}")
    _print_result(result, limit=limit, page=page)


search.help = (search.help or "").replace("FIELDS_HELP", ", ".join(f"{name}:" for name in FIELDS))


def _raise_if_empty(archive: Archive) -> None:
    if next(archive.ids(), None) is None:
        raise DiariumError(
            f"the archive in {archive.root} has no documents; add some with `diarium ingest`"
        )


def _print_result(result: SearchResult, *, limit: int, page: int) -> None:
    first = (page - 1) * limit + 1
    if not result.hits:
        shown = "" if result.total == 0 else f" (page {page} is past the last one)"
        click.echo(f"No documents match {result.query!r}{shown}")
    for number, hit in enumerate(result.hits, start=first):
        _print_hit(number, hit)
    if result.hits:
        last = first + len(result.hits) - 1
        click.echo(f"{result.total} documents match; showing {first}–{last}")
    for name, counts in result.facets.items():
        if counts:
            values = ", ".join(f"{value} {count}" for value, count in counts.items())
            click.echo(f"{name}: {values}")


def _print_hit(number: int, hit: Hit) -> None:
    title = printable(hit.title or hit.source or hit.id)
    click.echo(click.style(f"{number}. {title}", bold=True))
    about = [hit.kind, hit.municipality, hit.board, hit.date or hit.year, hit.case_number]
    click.echo("   " + " · ".join(printable(str(a)) for a in about if a))
    if hit.snippet:
        styled = hit.marked_snippet(lambda word: click.style(word, **_MARK))
        where = f"sida {hit.page}: " if hit.page is not None else ""
        if hit.ocr is not None:
            where = f"sida {hit.page} ({ocr_mark(hit.ocr)}): "
        click.echo(f"   {where}{styled}")
    click.echo(click.style(f"   {hit.id}  {printable(hit.source or '')}", dim=True))


@click.command()
@archive_option
def reindex(archive: Archive) -> None:
    """Rebuild the search index from the archive, then swap it in at once.

    Searches running meanwhile use the old index. Needed after an upgrade that changes the
    index, or when the index is reported damaged; the archive itself is never changed.
    """
    if not archive.exists():
        raise DiariumError(
            f"there is no archive in {archive.root}; add documents with `diarium ingest`"
        )
    started = time.monotonic()
    total = len(archive)
    with click.progressbar(length=total, label="Indexing", file=sys.stderr, show_pos=True) as bar:
        count = rebuild_from_archive(archive, progress=bar.update)
    warn(f"indexed {count} documents in {time.monotonic() - started:.1f} s ({archive.index_dir})")
    for damaged in archive.damaged():
        warn(f"hoppade över {damaged.id}: skadat ({printable(damaged.reason)}); se `diarium check`")
