"""generate, new, templates: thin shells over the `templates` package."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
import yaml

from archive import Archive
from archive import messages as msg
from cli.common import archive_option, print_json
from templates.pdf import find_soffice, to_pdf
from templates.render import (
    Generated,
    GenerationRefused,
    check_template,
    default_output,
    load_data,
    render,
)
from templates.schema import (
    BUILTIN_DIR,
    SHARED_FIELDS_FILE,
    Field,
    Kind,
    find_kind,
    load_kind_folder,
    load_kinds,
)
from templates.validate import check_answer

F = TypeVar("F", bound=Callable[..., Any])


def templates_option(func: F) -> F:
    return click.option(
        "--templates",
        "templates_dir",
        type=click.Path(file_okay=False, exists=True, path_type=Path),
        envvar="DIARIUM_TEMPLATES",
        help="En kommuns egen mallmapp (standard: arkivets inställning `templates`, "
        "annars de inbyggda mallarna).",
    )(func)


def _templates_dir(option: Path | None, archive: Archive) -> Path | None:
    return option if option is not None else archive.setting_path("templates")


def _check_output(output: Path | None) -> None:
    if output is not None and output.suffix.lower() != ".docx":
        raise click.UsageError(msg.OUTPUT_NOT_DOCX.format(path=output))


def _municipality_dirs(archive: Archive) -> list[Path]:
    """The archive's own municipality data (setting `municipalities`), as ingest uses it."""
    extra = archive.setting_path("municipalities")
    return [extra] if extra else []


def _render(
    archive: Archive, kind: Kind, values: dict[str, Any], target: Path, source: str
) -> Generated:
    """Render with the archive's own municipality data and limits; a refusal ends the command."""
    try:
        return render(
            kind,
            values,
            target,
            source=source,
            municipality_dirs=_municipality_dirs(archive),
            limits=archive.limits,
        )
    except GenerationRefused as exc:
        _refuse(exc)


def _refuse(exc: GenerationRefused) -> NoReturn:
    for line in str(exc).splitlines():
        click.echo(msg.PREFIX.format(message=line), err=True)
    sys.exit(1)


def _finish(generated: Generated, *, pdf: bool, file: bool, archive: Archive, source: Path) -> None:
    click.echo(msg.WROTE.format(path=generated.docx))
    filed, renditions = generated.docx, []
    if pdf:
        (made,) = to_pdf([generated.docx])
        click.echo(msg.WROTE.format(path=made))
        # The PDF/A is the archival copy; the DOCX beside it is the same document.
        filed, renditions = made, [generated.docx]
    if file:
        document, added = archive.store_generated(
            filed,
            generated.metadata,
            made_from=generated.fingerprint(filed),
            template={"kind": generated.kind.kind, "data": str(source.resolve())},
            renditions=renditions,
        )
        line = msg.FILED if added else msg.ALREADY_FILED
        click.echo(
            line.format(
                id=document.id, kind=document.kind, date=document.date, title=document.title
            )
        )


@click.command()
@click.argument("kind", metavar="TYP")
@click.argument("data", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="DOCX-filen som skrivs (standard: DATUM TYP DIARIENUMMER.docx i aktuell mapp).",
)
@click.option(
    "--pdf", is_flag=True, help="Skriv också en PDF/A-2b bredvid DOCX-filen (LibreOffice)."
)
@click.option(
    "--file",
    "file",
    is_flag=True,
    help="Arkivera det färdiga dokumentet (med --pdf som ett dokument med DOCX och PDF/A), "
    "med metadata från datafilen.",
)
@templates_option
@archive_option
def generate(
    archive: Archive,
    kind: str,
    data: Path,
    output: Path | None,
    pdf: bool,
    file: bool,
    templates_dir: Path | None,
) -> None:
    """Skriv ett dokument av typen TYP (se `diarium templates list`) från DATA, en YAML- eller
    JSON-fil.

    Värdena läses som de skrevs: `telefon: 0322616000` och `diarienummer: 2021.010` blir just
    den texten. Ingenting skrivs om något är fel: varje problem listas, ett per rad, och
    slutkoden är 1.

    \b
    diarium generate tjänsteskrivelse ärende.yaml -o ärende.docx --pdf --file
    """
    _check_output(output)
    chosen = find_kind(kind, _templates_dir(templates_dir, archive))
    values = load_data(data)
    if pdf:
        find_soffice()  # before anything is written: a missing LibreOffice is a clear refusal
    target = output or default_output(chosen, values, Path.cwd())
    generated = _render(archive, chosen, values, target, str(data))
    _finish(generated, pdf=pdf, file=file, archive=archive, source=data)


def _heading(spec: Field) -> None:
    mark = "" if spec.required else msg.OPTIONAL_FIELD
    click.secho(f"\n{spec.label}{mark}", bold=True, err=True)
    if spec.help:
        click.echo(f"  {spec.help}", err=True)


Check = Callable[[str], list[Any]]


def _ask(
    label: str, *, required: bool, default: str | None = None, check: Check | None = None
) -> str:
    """One answer; asked again while it is empty but required, or `check` finds a problem."""
    while True:
        answer = click.prompt(
            label,
            default=default if default is not None else "",
            show_default=bool(default),
            err=True,
        ).strip()
        if not answer and required:
            click.echo(msg.FIELD_REQUIRED, err=True)
            continue
        problems = check(answer) if answer and check else []
        if not problems:
            return answer
        for problem in problems:
            click.echo(msg.ANSWER_AGAIN.format(problem=problem.message), err=True)


def _ask_list(label: str, *, required: bool, check: Check | None = None) -> list[str]:
    items: list[str] = []
    while True:
        answer = _ask(f"{label} {len(items) + 1}", required=required and not items, check=check)
        if not answer:
            return items
        items.append(answer)


class _Asker:
    """The questions of `diarium new` for one kind, each answer checked against the answers so far
    (a case number's shape depends on the municipality answered before it)."""

    def __init__(self, values: dict[str, Any], municipality_dirs: list[Path]) -> None:
        self.values = values
        self.municipality_dirs = municipality_dirs

    def check(self, spec: Field, *, item: bool = False) -> Check:
        def checked(answer: str) -> list[Any]:
            return check_answer(
                spec, answer, self.values, item=item, municipality_dirs=self.municipality_dirs
            )

        return checked


def _ask_records(spec: Field, asker: _Asker) -> list[dict[str, Any]]:
    """One record after another; an empty first sub-field ends the list."""
    assert isinstance(spec.item, dict)
    first, *rest = spec.item.values()
    records: list[dict[str, Any]] = []
    while True:
        click.echo(msg.RECORD_PROMPT.format(label=spec.label, number=len(records) + 1), err=True)
        lead = _ask(
            f"  {first.label}", required=spec.required and not records, check=asker.check(first)
        )
        if not lead:
            return records
        record: dict[str, Any] = {first.name: lead}
        for sub in rest:
            if sub.type in ("list", "rows", "textblock"):
                _heading(sub)
            answer = _ask_field(sub, record, asker, prefix="  ")
            if answer not in ("", []):
                record[sub.name] = answer
        records.append(record)


def _ask_field(spec: Field, siblings: dict[str, Any], asker: _Asker, prefix: str = "") -> Any:
    if spec.type == "textblock":
        label = msg.PARAGRAPH_PROMPT.format(prefix=prefix, label=spec.label)
        return "\n\n".join(_ask_list(label, required=spec.required))
    if spec.type == "rows":
        columns = siblings.get(spec.columns or "") or []
        click.echo(msg.CELLS_PROMPT.format(prefix=prefix, columns=" ; ".join(columns)), err=True)
        rows = _ask_list(msg.ROW_PROMPT.format(prefix=prefix), required=spec.required)
        return [[cell.strip() for cell in row.split(";")] for row in rows]
    if spec.is_record_list:
        return _ask_records(spec, asker)
    if spec.type == "list":
        label = msg.POINT_PROMPT.format(prefix=prefix, label=spec.label)
        return _ask_list(label, required=spec.required, check=asker.check(spec, item=True))
    default = dt.date.today().isoformat() if spec.type == "date" and spec.required else None
    return _ask(
        f"{prefix}{spec.label}", required=spec.required, default=default, check=asker.check(spec)
    )


@click.command()
@click.argument("kind", metavar="TYP")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="DOCX-filen som skrivs (standard: DATUM TYP DIARIENUMMER.docx i aktuell mapp).",
)
@click.option(
    "--data",
    "data_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Var svaren sparas (standard: bredvid DOCX-filen, med ändelsen .yaml).",
)
@click.option(
    "--pdf", is_flag=True, help="Skriv också en PDF/A-2b bredvid DOCX-filen (LibreOffice)."
)
@click.option("--file", "file", is_flag=True, help="Arkivera det färdiga dokumentet.")
@templates_option
@archive_option
def new(
    archive: Archive,
    kind: str,
    output: Path | None,
    data_file: Path | None,
    pdf: bool,
    file: bool,
    templates_dir: Path | None,
) -> None:
    """Fråga efter varje fält i ett dokument av typen TYP, spara svaren som YAML och skriv
    dokumentet.

    Varje svar kontrolleras när det ges (datum, diarienummer, kvarlämnad platshållartext) och
    frågas igen om det inte går. Listor (beslutspunkter, handläggare, mottagare) frågas tills ett
    tomt svar. Om dokumentet ändå vägras sparas svaren: rätta dem och kör `diarium generate`.

    \b
    diarium new yttrande -o yttrande.docx --pdf
    """
    _check_output(output)
    chosen = find_kind(kind, _templates_dir(templates_dir, archive))
    if pdf:
        find_soffice()
    click.secho(f"{chosen.name}: {chosen.description}", bold=True, err=True)
    values: dict[str, Any] = {}
    asker = _Asker(values, _municipality_dirs(archive))
    for spec in chosen.fields.values():
        _heading(spec)
        answer = _ask_field(spec, values, asker)
        if answer not in ("", [], None):
            values[spec.name] = answer
    target = output or default_output(chosen, values, Path.cwd())
    data_path = data_file or target.with_suffix(".yaml")
    data_path.parent.mkdir(parents=True, exist_ok=True)
    data_path.write_text(
        yaml.safe_dump(values, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8"
    )
    click.echo(msg.WROTE.format(path=data_path))
    generated = _render(archive, chosen, values, target, str(data_path))
    _finish(generated, pdf=pdf, file=file, archive=archive, source=data_path)


@click.group()
def templates() -> None:
    """Dokumenttyperna och deras Word-mallar: list, show, init, check.

    \b
    diarium templates list
    diarium templates init mallar/
    """


@templates.command("list")
@templates_option
@click.option("--json", "as_json", is_flag=True, help="Skriv som JSON.")
@archive_option
def list_templates(archive: Archive, templates_dir: Path | None, as_json: bool) -> None:
    """Alla dokumenttyper och var deras mall kommer ifrån."""
    kinds = load_kinds(_templates_dir(templates_dir, archive))
    if as_json:
        print_json([_kind_summary(k) for k in kinds.values()])
        return
    for kind in kinds.values():
        origin = msg.TEMPLATE_BUILTIN if kind.builtin else str(kind.folder)
        click.echo(msg.TEMPLATE_LINE.format(slug=kind.slug, name=kind.name, origin=origin))


def _kind_summary(kind: Kind) -> dict[str, Any]:
    return {
        "slug": kind.slug,
        "kind": kind.kind,
        "name": kind.name,
        "description": kind.description,
        "template": str(kind.template),
        "builtin": kind.builtin,
        "required": kind.required,
    }


def _field_dict(spec: Field) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": spec.name,
        "type": spec.type,
        "label": spec.label,
        "required": spec.required,
        "help": spec.help,
    }
    if isinstance(spec.item, dict):
        out["item"] = [_field_dict(sub) for sub in spec.item.values()]
    elif spec.item:
        out["item"] = spec.item
    return out


@templates.command("show")
@click.argument("kind", metavar="TYP")
@templates_option
@click.option("--json", "as_json", is_flag=True, help="Skriv som JSON.")
@archive_option
def show_template(archive: Archive, kind: str, templates_dir: Path | None, as_json: bool) -> None:
    """Fälten i TYP: namn, typ, om fältet är obligatoriskt och hjälptexten."""
    chosen = find_kind(kind, _templates_dir(templates_dir, archive))
    if as_json:
        summary = _kind_summary(chosen)
        summary["fields"] = [_field_dict(f) for f in chosen.fields.values()]
        print_json(summary)
        return
    click.echo(
        msg.TEMPLATE_HEAD.format(name=chosen.name, slug=chosen.slug, description=chosen.description)
    )
    click.echo(msg.TEMPLATE_FILE.format(path=chosen.template))
    _print_fields(chosen.fields.values(), indent="")


def _print_fields(fields: Any, indent: str) -> None:
    for spec in fields:
        required = msg.FIELD_REQUIRED_WORD if spec.required else msg.FIELD_OPTIONAL_WORD
        kind = msg.LIST_OF.format(item=spec.item) if isinstance(spec.item, str) else spec.type
        click.echo(
            msg.FIELD_LINE.format(indent=indent, name=spec.name, type=kind, required=required)
        )
        if spec.help:
            click.echo(f"{indent}    {spec.help}")
        if isinstance(spec.item, dict):
            _print_fields(spec.item.values(), indent + "    ")


@templates.command("init")
@click.argument("directory", metavar="MAPP", type=click.Path(file_okay=False, path_type=Path))
def init_templates(directory: Path) -> None:
    """Kopiera de inbyggda mallarna till MAPP, för en kommun att redigera som sina egna.

    Dokumenttyper som redan finns i MAPP lämnas som de är.
    """
    directory.mkdir(parents=True, exist_ok=True)
    copied = []
    for kind in load_kinds(None).values():
        target = directory / kind.slug
        if target.exists():
            click.echo(msg.KEPT_TEMPLATE.format(path=target))
            continue
        shutil.copytree(kind.folder, target)
        copied.append(target)
        click.echo(msg.COPIED_TEMPLATE.format(path=target))
    shared = directory / SHARED_FIELDS_FILE
    if not shared.exists():
        shutil.copyfile(BUILTIN_DIR / SHARED_FIELDS_FILE, shared)
    click.echo(msg.USE_TEMPLATES.format(directory=directory, resolved=directory.resolve()))


@templates.command("check")
@click.argument(
    "template", metavar="MALL", type=click.Path(dir_okay=False, exists=True, path_type=Path)
)
@click.option(
    "--kind",
    "kind_name",
    help="Dokumenttypen vars schema mallen prövas mot (standard: schema.yaml bredvid mallen).",
)
@templates_option
@archive_option
def check_template_command(
    archive: Archive, template: Path, kind_name: str | None, templates_dir: Path | None
) -> None:
    """Lista platshållare i MALL som schemat saknar, och obligatoriska fält den aldrig visar.

    Slutkod 1 när något listas.
    """
    if template.suffix.lower() != ".docx":
        raise click.UsageError(msg.TEMPLATE_NOT_DOCX.format(path=template))
    if kind_name:
        kind = find_kind(kind_name, _templates_dir(templates_dir, archive))
    else:
        kind = load_kind_folder(template.resolve().parent)
    problems = check_template(template, kind)
    for problem in problems:
        click.echo(f"{template}: {problem}")
    if problems:
        sys.exit(1)
    click.echo(msg.TEMPLATE_OK.format(path=template, slug=kind.slug))


COMMANDS = [generate, new, templates]
