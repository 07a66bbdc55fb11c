"""search and reindex: thin shells over `indexer.Index` and `indexer.archive_sync`."""

from __future__ import annotations

import sys
import time

import click

from archive import Archive, DiariumError, privacy
from archive import messages as msg
from archive.safenames import printable
from cli.common import (
    archive_option,
    filter_options,
    note_left_out,
    ocr_mark,
    print_json,
    resolve_filters,
    warn,
)
from indexer import Hit, IndexUnavailable, SearchResult
from indexer.archive_sync import index_of, mark_ocr, personal_token, rebuild_from_archive
from indexer.query import FIELDS

_MARK = {"fg": "yellow", "bold": True}


@click.command()
@click.argument("query", metavar="FRÅGA...", nargs=-1)
@filter_options
@click.option(
    "--from", "date_from", metavar="DATE", help="Daterad samma dag eller senare (ÅÅÅÅ[-MM[-DD]])."
)
@click.option(
    "--to", "date_to", metavar="DATE", help="Daterad samma dag eller tidigare (ÅÅÅÅ[-MM[-DD]])."
)
@click.option(
    "--sort",
    type=click.Choice(["relevance", "date"]),
    default="relevance",
    show_default=True,
    help="Bästa träff först (relevance) eller nyaste först (date).",
)
@click.option(
    "--limit", type=click.IntRange(1, 1000), default=10, show_default=True, help="Träffar per sida."
)
@click.option(
    "--page",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Vilken sida som visas.",
)
@click.option("--facets", is_flag=True, help="Räkna träffar per kommun, nämnd, år och dokumenttyp.")
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
@click.option("--json", "as_json", is_flag=True, help="Skriv resultatet som JSON.")
@click.option(
    "--explain",
    is_flag=True,
    help="Visa vad frågan utvidgades till: sammansättningsled, former utan å ä ö, synonymer.",
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
    """Sök i arkivets text och metadata.

    Alla ord måste finnas om inte OR används. Böjda former hittar varandra (nämnd, nämnden,
    nämnderna); "citattecken" för en fras; -ord eller NOT ord för att utesluta; (grupper);
    fält:värde. Ett ord hittar också sammansättningar det ingår i (stöd: försörjningsstöd),
    samma ord skrivet utan å ä ö och dess synonymer och förkortningar (AME:
    Arbetsmarknadsenheten), rankade under ordet som det skrevs; en fråga som nästan inte hittar
    något prövas med rättad stavning.

    \b
    diarium search långvarigt försörjningsstöd --year 2021..2023
    diarium search '"ekonomiskt bistånd" -Uppsala' --facets
    diarium search 'kind:yttrande OR kind:"svar på revisionsrapport"' --sort date
    diarium search "KS 2023-730" --json | jq -r '.hits[].id'
    diarium search --personal 19811218-9876

    Personnummer visas aldrig i utdrag och hittas inte som text: --personal hittar de
    dokument som innehåller ett. Sekretessmarkerade sidor och dokument utelämnas utom med
    --cleared.

    \b
    Fält: FIELDS_HELP
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
        click.echo(msg.SEARCHED_AS.format(expanded=result.expanded))
    if result.corrected is not None:
        click.echo(msg.SHOWING_CORRECTED.format(corrected=result.corrected))
    _print_result(result, limit=limit, page=page)


search.help = (search.help or "").replace("FIELDS_HELP", ", ".join(f"{name}:" for name in FIELDS))


def _raise_if_empty(archive: Archive) -> None:
    if next(archive.ids(), None) is None:
        raise DiariumError(msg.EMPTY_ARCHIVE.format(root=archive.root))


def _print_result(result: SearchResult, *, limit: int, page: int) -> None:
    first = (page - 1) * limit + 1
    if not result.hits:
        past = "" if result.total == 0 else msg.PAST_LAST_PAGE.format(page=page)
        click.echo(msg.NO_MATCH.format(query=result.query, past=past))
    for number, hit in enumerate(result.hits, start=first):
        _print_hit(number, hit)
    if result.hits:
        last = first + len(result.hits) - 1
        documents = msg.count(result.total, "dokument")
        click.echo(msg.MATCHES.format(documents=documents, first=first, last=last))
    for name, counts in result.facets.items():
        if counts:
            values = ", ".join(f"{value} {msg.number(count)}" for value, count in counts.items())
            click.echo(f"{msg.FACET_NAMES.get(name, name)}: {values}")


def _print_hit(number: int, hit: Hit) -> None:
    title = printable(hit.title or hit.source or hit.id)
    click.echo(click.style(f"{number}. {title}", bold=True))
    about = [hit.kind, hit.municipality, hit.board, hit.date or hit.year, hit.case_number]
    click.echo("   " + " · ".join(printable(str(a)) for a in about if a))
    if hit.snippet:
        styled = hit.marked_snippet(lambda word: click.style(word, **_MARK))
        where = msg.HIT_PAGE.format(page=hit.page) if hit.page is not None else ""
        if hit.ocr is not None:
            where = msg.HIT_PAGE.format(page=f"{hit.page} ({ocr_mark(hit.ocr)})")
        click.echo(f"   {where}{styled}")
    click.echo(click.style(f"   {hit.id}  {printable(hit.source or '')}", dim=True))


@click.command()
@archive_option
def reindex(archive: Archive) -> None:
    """Bygg om sökindexet och katalogen från arkivet och byt till dem på en gång.

    Indexet byggs med den sökmotor som settings.yaml anger (search_engine: whoosh | tantivy;
    whoosh när inget anges) bredvid det som används. Sökningar som pågår under tiden använder
    det gamla indexet. Behövs efter en uppgradering som ändrar indexet, efter byte av sökmotor
    eller när indexet rapporteras skadat; själva arkivet ändras aldrig.

    \b
    diarium reindex
    """
    if not archive.exists():
        raise DiariumError(msg.NO_ARCHIVE.format(root=archive.root))
    started = time.monotonic()
    total = len(archive)
    with click.progressbar(length=total, label=msg.INDEXING, file=sys.stderr, show_pos=True) as bar:
        count = rebuild_from_archive(archive, progress=bar.update)
    archive.catalogue.rebuild()
    elapsed = msg.seconds(time.monotonic() - started)
    warn(
        msg.INDEXED.format(
            documents=msg.count(count, "dokument"), seconds=elapsed, index=archive.index_dir
        )
    )
    for damaged in archive.damaged():
        warn(msg.REINDEX_SKIPPED.format(id=damaged.id, reason=printable(damaged.reason)))


COMMANDS = [search, reindex]
