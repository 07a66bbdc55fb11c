"""mark, redact, privacy scan: thin shells over `archive.privacy`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from archive import Archive, privacy
from archive.privacy import operations
from cli.common import archive_option, print_json, warn


@click.command()
@click.argument("doc_id", metavar="ID")
@click.option(
    "--sekretess",
    "ground",
    metavar="LAGRUM",
    help='Markera som sekretess enligt lagrummet, t.ex. "OSL 26:1".',
)
@click.option("--pages", metavar="SIDOR", help="Bara dessa sidor, t.ex. 3-4 eller 1,3-4.")
@click.option("--until", metavar="DATUM", help="Sekretessen gäller till och med (ÅÅÅÅ-MM-DD).")
@click.option("--by", metavar="NAMN", help="Vem som markerar (standard: $DIARIUM_USER, inloggad).")
@click.option("--remove", "remove_marks", is_flag=True, help="Ta bort markeringarna (på LAGRUM).")
@archive_option
def mark(
    archive: Archive,
    doc_id: str,
    ground: str | None,
    pages: str | None,
    until: str | None,
    by: str | None,
    remove_marks: bool,
) -> None:
    """Sekretessmarkera ett dokument, eller några av dess sidor, med stöd av ett lagrum.

    Markerade sidor utelämnas ur sökutdrag, --json-utdata och exporter, och bara en sökning
    med behörighet träffar deras text; markeringen sparas med vem och när.

    \b
    diarium mark 3fa1c2 --sekretess "OSL 26:1"
    diarium mark 3fa1c2 --sekretess "OSL 26:1" --pages 3-4 --until 2045-01-01
    diarium mark 3fa1c2 --remove
    """
    if remove_marks:
        doc = operations.unmark(archive, doc_id, ground)
        click.echo(f"sekretessmarkeringar borttagna: {doc.id}")
    else:
        if not ground:
            raise click.UsageError('ange lagrummet med --sekretess, t.ex. --sekretess "OSL 26:1"')
        doc = operations.mark(archive, doc_id, ground, pages=pages, until=until, by=by)
        click.echo(f"markerad  {doc.id}  {privacy.describe(doc.secrecy[-1])}")


@click.group(name="privacy")
def privacy_group() -> None:
    """Personuppgifter i arkivet.

    \b
    diarium privacy scan
    """


@privacy_group.command()
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Skriv rapporten som JSON.")
@archive_option
def scan(archive: Archive, top: int, as_json: bool) -> None:
    """Sök igenom varje lagrat dokument efter personuppgifter på nytt, spara fynden och
    uppdatera indexet.

    För ett arkiv som fylldes innan diarium hittade personuppgifter, eller efter att reglerna
    förbättrats. Redovisar antalen per slag och de dokument som har flest.

    \b
    diarium privacy scan
    diarium privacy scan --json | jq .kinds
    """
    if sys.stderr.isatty() and not as_json:
        with click.progressbar(
            length=len(archive), label="Söker personuppgifter", file=sys.stderr
        ) as bar:
            report = operations.scan(archive, progress=bar.update)
    else:
        report = operations.scan(archive)
    if as_json:
        print_json(report.to_dict(top))
        return
    click.echo(f"{report.documents} dokument genomsökta, {len(report.changed)} ändrade")
    for kind, count in report.kinds.most_common():
        click.echo(f"  {count:>6}  {kind}")
    if report.per_document:
        click.echo("Flest personuppgifter:")
        for doc_id, count in report.per_document.most_common(top):
            click.echo(f"  {count:>6}  {doc_id}  {_title(archive, doc_id)}")
    else:
        warn("inga personuppgifter hittades")


def _title(archive: Archive, doc_id: str) -> str:
    doc = archive.get(doc_id)
    return privacy.mask_string(doc.title or doc.source, privacy.masked_kinds(archive.settings))


@click.command()
@click.argument("doc_id", metavar="ID")
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Den maskerade PDF-kopian att skriva.",
)
@click.option(
    "--also",
    multiple=True,
    metavar="TEXT",
    help="Maskera även denna text, var den än står (upprepningsbar).",
)
@click.option(
    "--ground",
    metavar="LAGRUM",
    help="Lagrummet som skrivs i maskerade personuppgifter och --also-texter "
    "(standard: inställningen privacy: ground:, annars OSL 26:1).",
)
@click.option("--json", "as_json", is_flag=True, help="Skriv rapporten som JSON.")
@archive_option
def redact(
    archive: Archive,
    doc_id: str,
    output: Path,
    also: tuple[str, ...],
    ground: str | None,
    as_json: bool,
) -> None:
    """Skriv en maskerad kopia av ett dokument för utlämnande av allmän handling.

    Varje personnummer och samordningsnummer (och de andra personuppgifter som
    inställningarna maskerar), varje sekretessmarkerad sida och varje --also-text tas bort ur
    själva PDF-filen, inte bara övertäckt, med lagrummet utskrivet där det stod. En logg över
    vad som maskerades var och varför skrivs bredvid kopian (NAMN.maskeringslogg.txt).
    PDF-original behåller sin layout; DOCX och text blir PDF med LibreOffice först.

    \b
    diarium redact 3fa1c2 -o utlamnande.pdf
    diarium redact 3fa1c2 -o utlamnande.pdf --also "Anna Svensson" --also "Storgatan 12"
    """
    from archive.privacy.redact import redact as make_copy
    from templates.pdf import to_pdf

    report = make_copy(archive, doc_id, output, also=also, ground=ground, render=to_pdf)
    if as_json:
        print_json(report.to_dict())
    else:
        pages = len({m.page for m in report.masked})
        click.echo(
            f"skrev {report.output} ({len(report.masked)} maskeringar på {pages} av "
            f"{report.pages} sidor) och {report.log}"
        )
    for warning in report.warnings:
        warn(f"varning: {warning}")


COMMANDS = [mark, redact, privacy_group]
