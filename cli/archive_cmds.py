"""ingest, show, list, remove, stats, review: thin shells over `archive.Archive`."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Any

import click

from archive import Archive, DiariumError, Document, IngestReport, privacy
from archive.document import FIELDS_BY_NAME, LIST_KEYS, RECORD_FIELDS
from archive.extract.ocr import MODES
from archive.names import fold
from archive.overrides import parse_assignments
from archive.privacy.operations import masked_pages, masked_record
from archive.safenames import printable
from archive.show import show_data
from archive.store import Damaged
from cli.common import (
    archive_option,
    note_left_out,
    ocr_mark,
    print_json,
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
    _print_report(report, as_json, privacy.masked_kinds(archive.settings))
    if report.stopped:
        warn(f"diarium: {printable(report.stopped)}; resten av filerna lästes inte")
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
            flags = f"  [{', '.join(doc.flags)}]" if doc.flags else ""
            read = len((doc.ocr or {}).get("pages", []))
            ocr = f"  (OCR: {read} s.)" if read else ""
            source = printable(privacy.mask_string(doc.source, kinds))
            click.echo(f"added      {doc.id}  {source}  ({_kind_date(doc)}){ocr}{flags}")
        for doc in report.unchanged:
            click.echo(f"unchanged  {doc.id}  {printable(privacy.mask_string(doc.source, kinds))}")
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
@click.option(
    "--unmasked",
    is_flag=True,
    help="Visa personuppgifter och sekretessmarkerade sidor omaskerade (för registratorn).",
)
@archive_option
def show(archive: Archive, doc_id: str, as_json: bool, with_text: bool, unmasked: bool) -> None:
    """Show one document: its metadata, sections and (with --text) its text.

    ID is the id that ingest, list and search print; a unique prefix of 4+ characters will do.
    Personnummer and the other personal data the settings mask are shown as [personnummer],
    and secret-marked pages are left out, unless --unmasked is given.

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
        click.echo("  Avsnitt:")
        for section in shown.sections:
            click.echo(f"    - {printable(section['heading'])}")
    for page in pages:
        read = doc.ocr_page(page.number)
        how = f" ({ocr_mark(read)})" if read else ""
        click.echo(click.style(f"\n--- sida {page.number}{how} ---", dim=True))
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
        elif isinstance(value, list):
            value = ", ".join(map(str, value))
        out.append((f.label, value, f.name if f.name != "id" else ""))
    where = f"{doc.source} ({doc.format}, {doc.pages} s.)"
    out.insert(-3, (FIELDS_BY_NAME["source"].label, where, ""))
    out.insert(-2, ("OCR", _ocr_summary(doc), ""))
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


@click.command(name="list")
@click.option("--kind", help="Only this kind, e.g. yttrande.")
@click.option(
    "--municipality",
    "-m",
    "municipalities",
    multiple=True,
    help="Only this municipality (repeatable).",
)
@click.option("--board", help="Only this board (nämnd), e.g. socialnämnden or SN.")
@click.option("--year", help="Only this year or range, e.g. 2021 or 2021..2023.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@archive_option
def list_(
    archive: Archive,
    kind: str | None,
    municipalities: tuple[str, ...],
    board: str | None,
    year: str | None,
    as_json: bool,
) -> None:
    """List the archive's documents, oldest date first; filters as `search` takes them.

    \b
    diarium list
    diarium list --kind yttrande --year 2021..2023 -m lekeberg
    diarium list --json | jq -r '.[].id'
    """
    from archive.names import years

    places, organ, kind = resolve_filters(
        archive, municipalities=municipalities, board=board, kind=kind
    )
    span = years(year)
    entries = list(archive.entries())
    damaged = [e for e in entries if isinstance(e, Damaged)]
    docs: list[Document] = []
    unknown = {"year": 0, "kind": 0}
    for d in entries:
        if not isinstance(d, Document):
            continue
        if places and d.municipality not in places:
            continue
        if organ and fold(d.board or "") != fold(organ):
            continue
        if kind and d.kind != kind:
            unknown["kind"] += kind != "annat" and d.kind == "annat" and _in_span(d, span)
            continue
        if span and not _in_span(d, span):
            unknown["year"] += d.year is None
            continue
        docs.append(d)
    docs.sort(key=lambda d: (d.date or f"{d.year or 9999}", d.source))
    note_left_out(unknown)
    kinds = privacy.masked_kinds(archive.settings)
    if as_json:
        rows = [
            privacy.mask_value({key: getattr(d, key) for key in LIST_KEYS}, kinds) for d in docs
        ]
        rows += [{"id": d.id, "damaged": d.reason} for d in damaged]
        print_json(rows)
        return
    for d in docs:
        title = printable(privacy.mask_string(d.title or d.source, kinds))
        title = textwrap.shorten(title, width=60, placeholder="…")
        when = d.date or str(d.year or "–")
        place = printable(d.municipality or "–")
        secret = "  [sekretess]" if privacy.active(d.secrecy) else ""
        click.echo(f"{d.id}  {when:<10}  {printable(d.kind):<24}  {place:<12}  {title}{secret}")
    for d in damaged:
        click.echo(f"{d.id}  {'SKADAT':<10}  {printable(d.reason)}")
    warn(f"{len(docs)} document(s) in {archive.root}")
    if damaged:
        warn(
            f"{len(damaged)} skadade dokument: se `diarium check`; `diarium remove ID` tar bort dem"
        )


def _in_span(doc: Document, span: tuple[int, int] | None) -> bool:
    return span is None or (doc.year is not None and span[0] <= doc.year <= span[1])


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


@click.command()
@click.option("--json", "as_json", is_flag=True, help="List what is missing as JSON; ask nothing.")
@archive_option
def review(archive: Archive, as_json: bool) -> None:
    """Fill in what the rules left empty: kind, date and municipality, one question each.

    Each question shows the lines of the text where the value usually stands; the answer is
    stored as set by hand. An empty answer skips the question; end of input stops the review.

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


COMMANDS = [ingest, show, list_, remove, stats, review, ocr, check]
