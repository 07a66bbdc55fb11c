"""ingest, show, list, remove, stats, review: thin shells over `archive.Archive`."""

from __future__ import annotations

import datetime as dt
import re
import sys
import textwrap
from itertools import chain
from pathlib import Path
from typing import Any

import click

from archive import Archive, Document, Filters, IngestReport, privacy
from archive import messages as msg
from archive.document import FIELDS_BY_NAME, RECORD_FIELDS
from archive.errors import DiariumError
from archive.extract.ocr import MODES
from archive.overrides import parse_assignments
from archive.privacy.operations import masked_pages, masked_record
from archive.safenames import printable
from archive.show import show_data
from archive.store import Damaged
from archive.trash import MIN_REMOVE_PREFIX, Trash
from cli.common import (
    archive_option,
    confirm,
    filter_options,
    note_left_out,
    ocr_mark,
    print_json,
    print_json_items,
    resolve_filters,
    warn,
)


class TerminalProgress:
    """A Click progress bar on a terminal; silence in pipes, logs and CI."""

    def __init__(self, label: str, enabled: bool) -> None:
        self.label = label
        self.enabled = enabled
        self.bar: Any = None

    def __call__(self, done: int, total: int, _path: str, _status: str) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@click.command()
@click.argument(
    "paths", metavar="SÖKVÄGAR...", nargs=-1, required=True, type=click.Path(path_type=Path)
)
@click.option("--municipality", "-m", help="Filernas kommun (går före reglerna).")
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="KEY=VALUE",
    help="Sätt ett värde för hand för varje fil, t.ex. --set kind=yttrande (kan upprepas).",
)
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), help="Arbetsprocesser (standard: antal kärnor)."
)
@click.option(
    "--ocr",
    type=click.Choice(MODES),
    help="Läs skannade sidor med OCR: auto (sidor utan användbart textlager), always eller "
    "never (standard: arkivets inställning ocr, annars auto).",
)
@click.option("--json", "as_json", is_flag=True, help="Skriv rapporten som JSON.")
@archive_option
def ingest(
    archive: Archive,
    paths: tuple[Path, ...],
    municipality: str | None,
    assignments: tuple[str, ...],
    jobs: int | None,
    ocr: str | None,
    as_json: bool,
) -> None:
    """Ta in filer och mappar (med undermappar) i arkivet.

    PDF, DOCX, TXT och Markdown. En sidofil NAMN.meta.yaml bredvid en fil sätter dess värden för
    hand; de går före --set, som går före det reglerna läser. Samma byte två gånger rapporteras
    som oförändrade; diariums egna datafiler bredvid genererade dokument hoppas över. Slutkod 1
    om någon fil misslyckades, 2 vid felaktig användning.

    \b
    diarium ingest rapporter/ --municipality Uppsala
    diarium ingest svar.pdf --set kind="svar på revisionsrapport" --set date=2023-11-02
    diarium ingest arkiv/2021 --json > rapport.json
    diarium ingest skannat/ --ocr=always
    """
    overrides = parse_assignments(list(assignments))
    progress = TerminalProgress(msg.INGEST_PROGRESS, enabled=sys.stderr.isatty() and not as_json)
    try:
        report = archive.ingest(
            paths,
            municipality=municipality,
            overrides=overrides,
            jobs=jobs,
            progress=progress,
            ocr=ocr,
        )
    finally:
        progress.close()
    # What was stored is printed first: a disk that fails afterwards cannot hide it.
    _print_report(report, as_json, privacy.masked_kinds(archive.settings))
    if report.stopped:
        warn(msg.BATCH_STOPPED.format(reason=printable(report.stopped)))
        sys.exit(1)
    if report.failed:
        sys.exit(1)


def _print_report(report: IngestReport, as_json: bool, kinds: frozenset[str]) -> None:
    if as_json:
        data = report.to_dict()
        for key in ("added", "unchanged"):
            data[key] = privacy.mask_value(data[key], kinds)
        print_json(data)
    else:
        for doc in report.added:
            flags = f"  [{msg.flags(doc.flags)}]" if doc.flags else ""
            read = len((doc.ocr or {}).get("pages", []))
            ocr = msg.INGEST_OCR.format(pages=read) if read else ""
            line = msg.INGEST_ADDED.format(
                id=doc.id,
                source=printable(privacy.mask_string(doc.source, kinds)),
                kind=printable(doc.kind),
                date=doc.date or msg.NO_DATE,
                flags=ocr + flags,
            )
            click.echo(line)
        for doc in report.unchanged:
            source = printable(privacy.mask_string(doc.source, kinds))
            click.echo(msg.INGEST_UNCHANGED.format(id=doc.id, source=source))
    for skipped in report.skipped:
        warn(msg.INGEST_SKIPPED.format(path=printable(skipped.path), reason=skipped.error))
    for failure in report.failed:
        warn(msg.INGEST_FAILED.format(path=printable(failure.path), error=printable(failure.error)))
    for message in report.warnings:
        warn(msg.PREFIX.format(message=message))
    warn(
        msg.INGEST_SUMMARY.format(
            added=msg.number(len(report.added)),
            unchanged=msg.number(len(report.unchanged)),
            skipped=msg.INGEST_SUMMARY_SKIPPED.format(count=msg.number(len(report.skipped)))
            if report.skipped
            else "",
            failed=msg.number(len(report.failed)),
        )
    )


@click.command()
@click.argument("doc_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Skriv hela posten som JSON.")
@click.option(
    "--text", "with_text", is_flag=True, help="Skriv ut den utlästa texten, sida för sida."
)
@click.option(
    "--unmasked",
    is_flag=True,
    help="Visa personuppgifter och sekretessmarkerade sidor omaskerade (för registratorn).",
)
@archive_option
def show(archive: Archive, doc_id: str, as_json: bool, with_text: bool, unmasked: bool) -> None:
    """Visa ett dokument: dess metadata, avsnitt och (med --text) dess text.

    ID är det id som ingest, list och search skriver ut; en entydig början på minst 4 tecken
    räcker. Personnummer och andra personuppgifter som inställningarna maskerar visas som
    [personnummer], och sekretessmarkerade sidor utelämnas, utom med --unmasked.

    \b
    diarium show 3fa1c2
    diarium show 3fa1c2 --json | jq .case_number
    diarium show 3fa1c2 --text | less
    diarium show 3fa1c2 --text --unmasked
    """
    if as_json:
        print_json(show_data(archive, doc_id, with_text=with_text, unmasked=unmasked))
        return
    doc = archive.get(doc_id)  # a damaged one is a one-line DamagedDocument
    pages = archive.pages(doc.id) if with_text else []
    if not unmasked:
        pages = masked_pages(archive, doc, pages=pages)
    shown = doc if unmasked else Document.from_dict(masked_record(archive, doc))
    click.echo(click.style(printable(shown.title or shown.source), bold=True))
    for label, value, key in _fields(shown):
        if value:
            click.echo(f"  {label:<16} {printable(str(value))}{_origin(doc, key)}")
    if shown.sections:
        click.echo(msg.SHOW_SECTIONS)
        for section in shown.sections:
            click.echo(f"    - {printable(section['heading'])}")
    for page in pages:
        read = doc.ocr_page(page.number)
        how = f" ({ocr_mark(read)})" if read else ""
        click.echo(click.style(msg.SHOW_PAGE.format(number=f"{page.number}{how}"), dim=True))
        click.echo(printable(page.text, keep_newlines=True))


def _fields(doc: Document) -> list[tuple[str, Any, str]]:
    """(label, value, field) for each shown field, in the declared order."""
    out: list[tuple[str, Any, str]] = []
    for f in RECORD_FIELDS:
        if not f.shown:
            continue
        value = getattr(doc, f.name)
        if f.name == "date":
            value = value or (str(doc.year) if doc.year else None)
        elif f.name == "flags":
            value = msg.flags(value)
        elif isinstance(value, list):
            value = ", ".join(map(str, value))
        out.append((f.label, value, f.name if f.name != "id" else ""))
    where = msg.SHOW_FILE.format(source=doc.source, format=doc.format, pages=doc.pages)
    out.insert(-3, (FIELDS_BY_NAME["source"].label, where, ""))
    out.insert(-2, ("OCR", _ocr_summary(doc), ""))
    out.insert(-2, ("andra filer", ", ".join(r["file"] for r in doc.renditions[1:]), ""))
    out.insert(-2, ("sekretess", "; ".join(privacy.describe(m) for m in doc.secrecy), ""))
    out.insert(-2, ("personuppgifter", _personal_summary(doc), ""))
    return out


_SOURCES = {"rule": "regel", "hand": "för hand", "template": "mall"}


def _origin(doc: Document, key: str) -> str:
    """ "  [regel: protocol's heading]", "  [för hand]": where a shown value came from."""
    origin = doc.provenance.get(key) if key else None
    if not origin:
        return ""
    source = _SOURCES.get(origin.get("source", ""), origin.get("source", ""))
    rule = origin.get("rule")
    return click.style(f"  [{source}: {rule}]" if rule else f"  [{source}]", dim=True)


def _personal_summary(doc: Document) -> str:
    counts: dict[str, int] = {}
    for found in doc.personal_data:
        counts[found["kind"]] = counts.get(found["kind"], 0) + 1
    return ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))


def _ocr_summary(doc: Document) -> str | None:
    """Which pages OCR read and how sure it was, so a reader knows what may be misread."""
    if not doc.ocr:
        return None
    if doc.ocr.get("error"):
        return f"misslyckades: {doc.ocr['error']}"
    pages = doc.ocr.get("pages", [])
    read = ", ".join(f"{p['page']} ({ocr_mark(p, short=True)})" for p in pages)
    return f"sidor lästa med OCR: {read}; osäker under {doc.ocr.get('threshold', 0):g}"


_TITLE_WIDTH = 60


@click.command(name="list")
@filter_options
@click.option(
    "--limit", type=click.IntRange(min=1), metavar="N", help="Bara de N första dokumenten."
)
@click.option("--json", "as_json", is_flag=True, help="Skriv en JSON-lista.")
@archive_option
def list_(
    archive: Archive,
    kind: str | None,
    municipalities: tuple[str, ...],
    board: str | None,
    year: str | None,
    limit: int | None,
    as_json: bool,
) -> None:
    """Lista arkivets dokument, äldsta datum först; filter som `search` tar dem.

    Raderna kommer ur arkivets katalog allteftersom de läses, så de första syns direkt
    även i ett arkiv med en miljon dokument.

    \b
    diarium list
    diarium list --kind yttrande --year 2021..2023 -m lekeberg
    diarium list --limit 20
    diarium list --json | jq -r '.[].id'
    """
    from archive.names import years

    places, organ, kind = resolve_filters(
        archive, municipalities=municipalities, board=board, kind=kind
    )
    filters = Filters(kind=kind, municipalities=tuple(places), board=organ, years=years(year))
    rows = archive.listing(filters, limit=limit)
    kinds = privacy.masked_kinds(archive.settings)
    if as_json:
        items = (privacy.mask_value(row, kinds) for row in rows)
        damaged = ({"id": d.id, "damaged": d.reason} for d in archive.catalogue.damaged())
        print_json_items(chain(items, damaged))
        note_left_out(archive.catalogue.left_out(filters))
        return
    count = 0
    for row in rows:
        title = printable(privacy.mask_string(row["title"] or row["source"], kinds))
        # as textwrap.shorten makes it, whose wrapping is only needed for a title too long
        title = " ".join(title.split())
        if len(title) > _TITLE_WIDTH:
            title = textwrap.shorten(title, width=_TITLE_WIDTH, placeholder="…")
        when = row["date"] or str(row["year"] or "–")
        place = printable(row["municipality"] or "–")
        secret = "  [sekretess]" if row["secrecy"] and privacy.active(row["secrecy"]) else ""
        click.echo(
            f"{row['id']}  {when:<10}  {printable(row['kind']):<24}  {place:<12}  {title}{secret}"
        )
        count += 1
    damaged = archive.catalogue.damaged()
    for d in damaged:
        click.echo(msg.LIST_DAMAGED.format(id=d.id, reason=printable(d.reason)))
    note_left_out(archive.catalogue.left_out(filters))
    warn(msg.LIST_SUMMARY.format(documents=msg.count(count, "dokument"), root=archive.root))
    if damaged:
        warn(
            msg.LIST_DAMAGED_SUMMARY.format(
                documents=msg.count(len(damaged), "skadat dokument", "skadade dokument")
            )
        )


@click.command()
@click.argument("doc_id", metavar="ID")
@click.option("--yes", "-y", is_flag=True, help="Fråga inte först (för skript).")
@click.option("--reason", default="", help="Varför dokumentet tas bort (sparas i papperskorgen).")
@archive_option
def remove(archive: Archive, doc_id: str, yes: bool, reason: str) -> None:
    """Flytta ett dokument till arkivets papperskorg; det tas bort ur indexet.

    ID är hela id:t eller en entydig början på minst 8 tecken. Frågar först, utom med --yes.
    Vem, när och varför sparas; `diarium restore ID` tar tillbaka dokumentet och
    `diarium trash empty --older-than 30d` raderar för gott. Ett skadat dokument (se
    `diarium check`) flyttas dit på samma sätt.

    \b
    diarium remove 3fa1c2d4 --reason "dubblett av 9b0e77aa"
    diarium remove 3fa1c2d4e5f60718 --yes
    """
    if len(doc_id.strip()) < MIN_REMOVE_PREFIX:
        raise DiariumError(msg.ID_TOO_SHORT.format(id=doc_id, length=MIN_REMOVE_PREFIX))
    doc = archive.get_or_damaged(doc_id)
    if not yes:
        if isinstance(doc, Damaged):
            question = msg.REMOVE_DAMAGED_CONFIRM.format(id=doc.id, reason=printable(doc.reason))
        else:
            question = msg.REMOVE_CONFIRM.format(
                id=doc.id, source=printable(doc.source), title=printable(doc.title or doc.kind)
            )
        if not confirm(question):
            raise DiariumError(msg.REMOVE_NOT_CONFIRMED)
    removed = archive.remove(doc.id, reason=reason)
    if isinstance(removed, Damaged):
        click.echo(msg.REMOVED_DAMAGED.format(id=removed.id, reason=printable(removed.reason)))
    else:
        click.echo(msg.REMOVED.format(id=removed.id, source=printable(removed.source)))


@click.command()
@click.argument("doc_id", metavar="ID")
@archive_option
def restore(archive: Archive, doc_id: str) -> None:
    """Ta tillbaka ett dokument ur papperskorgen, som det var; indexet följer med.

    \b
    diarium trash list
    diarium restore 3fa1c2d4
    """
    doc = archive.restore(doc_id)
    if isinstance(doc, Damaged):
        click.echo(msg.RESTORED_DAMAGED.format(id=doc.id, reason=printable(doc.reason)))
    else:
        click.echo(msg.RESTORED.format(id=doc.id, source=printable(doc.source)))


@click.group()
def trash() -> None:
    """Arkivets papperskorg: det som `diarium remove` flyttat dit.

    \b
    diarium trash list
    diarium trash empty --older-than 30d
    """


@trash.command("list")
@click.option("--json", "as_json", is_flag=True, help="Skriv en JSON-lista.")
@archive_option
def list_trash(archive: Archive, as_json: bool) -> None:
    """Det som ligger i papperskorgen, senast borttaget först: id, när, vem, fil och skäl."""
    entries = Trash(archive).entries()
    if as_json:
        print_json([e.to_dict() for e in entries])
        return
    for e in entries:
        line = msg.TRASH_LINE.format(
            id=e.document.id,
            removed_at=e.removed_at,
            by=printable(e.by),
            source=printable(e.document.source),
            reason=printable(e.reason) or msg.NO_REASON,
        )
        click.echo(line)
    warn(msg.TRASH_SUMMARY.format(count=msg.count(len(entries), "dokument"), root=archive.root))


@trash.command("empty")
@click.option(
    "--older-than",
    "older_than",
    required=True,
    metavar="DAGAR",
    help="Radera det som legat i papperskorgen längre än så, t.ex. 30d.",
)
@click.option("--yes", "-y", is_flag=True, help="Fråga inte först (för skript).")
@archive_option
def empty_trash(archive: Archive, older_than: str, yes: bool) -> None:
    """Radera för gott det som legat i papperskorgen längre än --older-than.

    \b
    diarium trash empty --older-than 30d
    """
    match = re.fullmatch(r"\s*(\d+)\s*d?\s*", older_than)
    if match is None:
        raise click.BadParameter(msg.BAD_AGE.format(value=older_than), param_hint="--older-than")
    days = int(match.group(1))
    bin_ = Trash(archive)
    due = bin_.due(dt.timedelta(days=days))
    if not due:
        click.echo(msg.TRASH_EMPTY_NOTHING.format(days=days))
        return
    question = msg.TRASH_EMPTY_CONFIRM.format(documents=msg.count(len(due), "dokument"), days=days)
    if not yes and not confirm(question):
        raise DiariumError(msg.REMOVE_NOT_CONFIRMED)
    for e in bin_.empty(dt.timedelta(days=days)):
        click.echo(
            msg.TRASH_EMPTIED.format(
                id=e.document.id, source=printable(e.document.source), removed_at=e.removed_at
            )
        )


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Skriv som JSON.")
@archive_option
def stats(archive: Archive, as_json: bool) -> None:
    """Räkna arkivets dokument och sidor per dokumenttyp, kommun, år och format.

    \b
    diarium stats
    diarium stats --json
    """
    from indexer.archive_sync import index_of

    data = archive.stats()
    with index_of(archive) as index:
        data["index"] = {"engine": index.engine(), "bytes": index.size()}
    if as_json:
        print_json(data)
        return
    click.echo(msg.STATS_ARCHIVE.format(root=data["archive"]))
    totals = msg.STATS_TOTALS.format(
        documents=msg.count(data["documents"], "dokument"),
        pages=msg.count(data["pages"], "sida", "sidor"),
        size=msg.size(data["bytes"]),
    )
    click.echo(totals)
    index = data["index"]
    click.echo(f"Sökindex: {index['engine']}, {msg.size(index['bytes'])}")
    ocr = data["ocr"]
    if ocr["pages"]:
        mean = ocr["mean_confidence"]
        mean = f", medelsäkerhet {msg.number(mean, 2)}" if mean is not None else ""
        click.echo(
            f"OCR: {msg.count(ocr['pages'], 'sida', 'sidor')} i "
            f"{msg.count(ocr['documents'], 'dokument')}{mean}, "
            f"{msg.count(ocr['uncertain_pages'], 'osäker sida', 'osäkra sidor')}"
        )
    for key, label in (
        ("kind", "Dokumenttyp"),
        ("municipality", "Kommun"),
        ("year", "År"),
        ("format", "Format"),
        ("flags", "Flaggor"),
    ):
        if data[key]:
            click.echo(f"{label}:")
            for name, count in data[key].items():
                shown = msg.flag(name) if key == "flags" else name
                click.echo(f"  {msg.number(count):>6}  {printable(shown)}")
    if data["damaged"]:
        click.echo(msg.STATS_DAMAGED.format(count=msg.number(len(data["damaged"]))))
        for doc_id in data["damaged"]:
            click.echo(f"  {doc_id}")


@click.command()
@click.option(
    "--json", "as_json", is_flag=True, help="Lista det som saknas som JSON; fråga ingenting."
)
@archive_option
def review(archive: Archive, as_json: bool) -> None:
    """Fyll i det reglerna lämnade tomt: dokumenttyp, datum och kommun, en fråga för varje.

    Varje fråga visar de rader i texten där värdet brukar stå; svaret sparas som satt för
    hand. Ett tomt svar hoppar över frågan; slut på indata avslutar granskningen.

    \b
    diarium review
    diarium review --json | jq '.[] | select(.field == "date") | .id'
    """
    from archive.overrides import OverrideError
    from archive.review import LABELS, missing, set_by_hand

    gaps = list(missing(archive))
    if as_json:
        print_json([gap.to_dict() for gap in gaps])
        return
    if not gaps:
        click.echo("Inget saknas: alla dokument har dokumenttyp, datum och kommun.")
        return
    answered = skipped = 0
    try:
        for gap in gaps:
            label = LABELS[gap.field]
            click.echo(click.style(f"\n{gap.id}  {gap.source}: {label} saknas", bold=True))
            for line in gap.context:
                click.echo(f"  | {line}")
            while True:
                answer = click.prompt(
                    f"  {label} (tomt = hoppa över)", default="", show_default=False
                ).strip()
                if not answer:
                    skipped += 1
                    break
                try:
                    set_by_hand(archive, gap.id, {gap.field: answer})
                except OverrideError as exc:
                    click.echo(f"  ogiltigt värde: {exc}", err=True)
                    continue
                answered += 1
                break
    except click.Abort:
        click.echo("", err=True)
    click.echo(f"{answered} värden satta för hand, {skipped} överhoppade.")


@click.command(name="ocr")
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.option(
    "--always",
    is_flag=True,
    help="Läs varje sida med OCR, även sidor som har ett textlager.",
)
@click.option("--json", "as_json", is_flag=True, help="Skriv rapporten som JSON.")
@archive_option
def ocr(archive: Archive, ids: tuple[str, ...], always: bool, as_json: bool) -> None:
    """Läs arkivets skannade dokument med OCR (svenska).

    Utan ID läses alla dokument som är flaggade `no text layer`. Texten, den sökbara
    PDF/A-kopian (archive.pdf), posten och sökindexet uppdateras; originalet rörs inte.
    Slutkod 1 om något dokument inte kunde läsas.

    
    diarium ocr
    diarium ocr 3fa1c2 9b0e77 --always
    diarium ocr --json | jq '.read[].ocr.pages'
    """
    report = archive.ocr(list(ids) or None, mode="always" if always else "auto")
    if as_json:
        print_json(report.to_dict())
    else:
        for doc in report.read:
            pages = doc.ocr.get("pages", []) if doc.ocr else []
            flags = f"  [{', '.join(doc.flags)}]" if doc.flags else ""
            click.echo(f"läst      {doc.id}  {doc.source}  ({len(pages)} sidor med OCR){flags}")
        for doc, why in report.unchanged:
            click.echo(f"oförändrad {doc.id}  {doc.source}  ({why})")
    for doc_id, error in report.failed:
        warn(f"misslyckades: {doc_id}: {error}")
    warn(
        f"{len(report.read)} lästa, {len(report.unchanged)} oförändrade, "
        f"{len(report.failed)} misslyckades"
    )
    if report.failed:
        sys.exit(1)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Skriv problemen som JSON.")
@archive_option
def check(archive: Archive, as_json: bool) -> None:
    """Kontrollera arkivet: varje original mot sin sha256, varje record.json och text.json mot
    sitt schema, journalens rader, och sökindexet mot arkivet. Slutkod 1 om något är fel.

    \b
    diarium check
    diarium check --json | jq -r '.[].where'
    """
    from archive.check import check_archive, check_journal
    from indexer.archive_sync import check_index

    if not archive.exists():
        raise DiariumError(msg.NO_ARCHIVE.format(root=archive.root))
    problems = [*check_archive(archive), *check_journal(archive)]
    problems += check_index(archive)
    if as_json:
        print_json([p.to_dict() for p in problems])
    else:
        for problem in problems:
            click.echo(f"{printable(problem.where)}: {printable(problem.what)}")
        summary = msg.CHECK_SUMMARY.format(
            documents=msg.count(len(archive), "dokument"),
            problems=msg.count(len(problems), "problem"),
            root=archive.root,
        )
        warn(summary)
    if problems:
        sys.exit(1)


COMMANDS = [ingest, show, list_, remove, restore, trash, stats, review, ocr, check]
