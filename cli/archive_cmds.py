"""ingest, show, list, remove, stats: thin shells over `archive.Archive`."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Any

import click

from archive import Archive, DiariumError, Document, IngestReport
from archive.extract.ocr import MODES
from archive.names import printable
from archive.overrides import parse_assignments
from archive.show import show_data
from archive.store import Damaged
from cli.common import archive_option, ocr_mark, print_json, warn

LIST_KEYS = (
    "id",
    "source",
    "format",
    "kind",
    "title",
    "date",
    "year",
    "case_number",
    "municipality",
    "board",
    "pages",
    "flags",
    "added_at",
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
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--municipality", "-m", help="The files' municipality (wins over the rules).")
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="KEY=VALUE",
    help="Set a value by hand for every file, e.g. --set kind=yttrande (repeatable).",
)
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: cores).")
@click.option(
    "--ocr",
    type=click.Choice(MODES),
    help="Läs skannade sidor med OCR: auto (sidor utan användbart textlager), always eller "
    "never (standard: arkivets inställning ocr, annars auto).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
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
    """Take files and folders (recursively) into the archive.

    PDF, DOCX, TXT and Markdown. A sidecar NAME.meta.yaml beside a file sets its values by
    hand; those beat --set, which beats what the rules read. The same bytes twice are reported
    as unchanged. Exit code 1 if any file failed, 2 for a usage error.

    \b
    diarium ingest rapporter/ --municipality Uppsala
    diarium ingest svar.pdf --set kind="svar på revisionsrapport" --set date=2023-11-02
    diarium ingest arkiv/2021 --json > rapport.json
    diarium ingest skannat/ --ocr=always
    """
    overrides = parse_assignments(list(assignments))
    progress = TerminalProgress("Tar in", enabled=sys.stderr.isatty() and not as_json)
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
    _print_report(report, as_json)
    if report.stopped:
        warn(f"diarium: {printable(report.stopped)}; resten av filerna lästes inte")
        sys.exit(1)
    if report.failed:
        sys.exit(1)


def _print_report(report: IngestReport, as_json: bool) -> None:
    if as_json:
        print_json(report.to_dict())
    else:
        for doc in report.added:
            flags = f"  [{', '.join(doc.flags)}]" if doc.flags else ""
            read = len((doc.ocr or {}).get("pages", []))
            ocr = f"  (OCR: {read} s.)" if read else ""
            source = printable(doc.source)
            click.echo(f"added      {doc.id}  {source}  ({_kind_date(doc)}){ocr}{flags}")
        for doc in report.unchanged:
            click.echo(f"unchanged  {doc.id}  {printable(doc.source)}")
    for failure in report.failed:
        warn(f"failed: {printable(failure.path)}: {printable(failure.error)}")
    for message in report.warnings:
        warn(f"diarium: {message}")
    warn(
        f"{len(report.added)} added, {len(report.unchanged)} unchanged, {len(report.failed)} failed"
    )


def _kind_date(doc: Document) -> str:
    return f"{doc.kind}, {doc.date or 'utan datum'}"


@click.command()
@click.argument("doc_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the whole record as JSON.")
@click.option("--text", "with_text", is_flag=True, help="Print the extracted text, page by page.")
@archive_option
def show(archive: Archive, doc_id: str, as_json: bool, with_text: bool) -> None:
    """Show one document: its metadata, sections and (with --text) its text.

    ID is the id that ingest, list and search print; a unique prefix of 4+ characters will do.

    \b
    diarium show 3fa1c2
    diarium show 3fa1c2 --json | jq .case_number
    diarium show 3fa1c2 --text | less
    """
    if as_json:
        print_json(show_data(archive, doc_id, with_text=with_text))
        return
    doc = archive.get(doc_id)  # a damaged one is a one-line DamagedDocument
    click.echo(click.style(printable(doc.title or doc.source), bold=True))
    for label, value in _fields(doc):
        if value:
            click.echo(f"  {label:<14} {printable(str(value))}")
    if doc.sections:
        click.echo("  Avsnitt:")
        for section in doc.sections:
            click.echo(f"    - {printable(section['heading'])}")
    if with_text:
        for page in archive.pages(doc.id):
            read = doc.ocr_page(page.number)
            how = f" ({ocr_mark(read)})" if read else ""
            click.echo(click.style(f"\n--- sida {page.number}{how} ---", dim=True))
            click.echo(printable(page.text, keep_newlines=True))


def _fields(doc: Document) -> list[tuple[str, Any]]:
    return [
        ("id", doc.id),
        ("dokumenttyp", doc.kind),
        ("datum", doc.date or (str(doc.year) if doc.year else None)),
        ("diarienummer", doc.case_number),
        ("kommun", doc.municipality),
        ("nämnd", doc.board),
        ("förvaltning", doc.department),
        ("handläggare", ", ".join(doc.officers)),
        ("fil", f"{doc.source} ({doc.format}, {doc.pages} s.)"),
        ("flaggor", ", ".join(doc.flags)),
        ("OCR", _ocr_summary(doc)),
        ("satt för hand", ", ".join(doc.manual)),
        ("tillagd", doc.added_at),
    ]


def _ocr_summary(doc: Document) -> str | None:
    """Which pages OCR read and how sure it was, so a reader knows what may be misread."""
    if not doc.ocr:
        return None
    if doc.ocr.get("error"):
        return f"misslyckades: {doc.ocr['error']}"
    pages = doc.ocr.get("pages", [])
    read = ", ".join(f"{p['page']} ({ocr_mark(p, short=True)})" for p in pages)
    return f"sidor lästa med OCR: {read}; osäker under {doc.ocr.get('threshold', 0):g}"


@click.command(name="list")
@click.option("--kind", help="Only this kind, e.g. yttrande.")
@click.option("--municipality", "-m", help="Only this municipality.")
@click.option("--year", type=int, help="Only this year.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@archive_option
def list_(
    archive: Archive, kind: str | None, municipality: str | None, year: int | None, as_json: bool
) -> None:
    """List the archive's documents, oldest date first.

    \b
    diarium list
    diarium list --kind yttrande --year 2021
    diarium list --json | jq -r '.[].id'
    """
    entries = list(archive.entries())
    damaged = [e for e in entries if isinstance(e, Damaged)]
    docs = [
        d
        for d in entries
        if isinstance(d, Document)
        and (not kind or d.kind == kind)
        and (not municipality or (d.municipality or "").casefold() == municipality.casefold())
        and (not year or d.year == year)
    ]
    docs.sort(key=lambda d: (d.date or f"{d.year or 9999}", d.source))
    if as_json:
        rows = [{key: getattr(d, key) for key in LIST_KEYS} for d in docs]
        rows += [{"id": d.id, "damaged": d.reason} for d in damaged]
        print_json(rows)
        return
    for d in docs:
        title = textwrap.shorten(printable(d.title or d.source), width=60, placeholder="…")
        when = d.date or str(d.year or "–")
        place = printable(d.municipality or "–")
        click.echo(f"{d.id}  {when:<10}  {printable(d.kind):<24}  {place:<12}  {title}")
    for d in damaged:
        click.echo(f"{d.id}  {'SKADAT':<10}  {printable(d.reason)}")
    warn(f"{len(docs)} document(s) in {archive.root}")
    if damaged:
        warn(
            f"{len(damaged)} skadade dokument: se `diarium check`; `diarium remove ID` tar bort dem"
        )


@click.command()
@click.argument("doc_id", metavar="ID")
@archive_option
def remove(archive: Archive, doc_id: str) -> None:
    """Remove a document from the archive and the index.

    \b
    diarium remove 3fa1c2
    """
    doc = archive.remove(doc_id)
    if isinstance(doc, Damaged):
        click.echo(f"removed {doc.id}  (skadat: {printable(doc.reason)})")
    else:
        click.echo(f"removed {doc.id}  {printable(doc.source)}")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@archive_option
def stats(archive: Archive, as_json: bool) -> None:
    """Count the archive's documents and pages by kind, municipality, year and format.

    \b
    diarium stats
    diarium stats --json
    """
    data = archive.stats()
    if as_json:
        print_json(data)
        return
    click.echo(f"Arkiv: {data['archive']}")
    click.echo(f"{data['documents']} dokument, {data['pages']} sidor, {data['bytes']:,} byte")
    ocr = data["ocr"]
    if ocr["pages"]:
        mean = ocr["mean_confidence"]
        mean = f", medelsäkerhet {mean:g}".replace(".", ",") if mean is not None else ""
        click.echo(
            f"OCR: {ocr['pages']} sidor i {ocr['documents']} dokument{mean}, "
            f"{ocr['uncertain_pages']} osäkra sidor"
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
                click.echo(f"  {count:>6}  {printable(name)}")
    if data["damaged"]:
        click.echo(f"Skadade dokument ({len(data['damaged'])}, se `diarium check`):")
        for doc_id in data["damaged"]:
            click.echo(f"  {doc_id}")


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
        raise DiariumError(f"det finns inget arkiv i {archive.root}")
    problems = [*check_archive(archive), *check_journal(archive)]
    problems += check_index(archive)
    if as_json:
        print_json([p.to_dict() for p in problems])
    else:
        for problem in problems:
            click.echo(f"{printable(problem.where)}: {printable(problem.what)}")
        documents = len(archive)
        warn(f"{documents} dokument kontrollerade, {len(problems)} problem ({archive.root})")
    if problems:
        sys.exit(1)


COMMANDS = [ingest, show, list_, remove, stats, ocr, check]
