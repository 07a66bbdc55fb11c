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

F = TypeVar("F", bound=Callable[..., Any])


def templates_option(func: F) -> F:
    return click.option(
        "--templates",
        "templates_dir",
        type=click.Path(file_okay=False, exists=True, path_type=Path),
        envvar="DIARIUM_TEMPLATES",
        help="A municipality's own template folder (default: the archive's `templates` setting, "
        "else the built-in templates).",
    )(func)


def _templates_dir(option: Path | None, archive: Archive) -> Path | None:
    return option if option is not None else archive.setting_path("templates")


def _check_output(output: Path | None) -> None:
    if output is not None and output.suffix.lower() != ".docx":
        raise click.UsageError(f"-o {output}: the document is a Word file; name it *.docx")


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
        click.echo(f"diarium: {line}", err=True)
    sys.exit(1)


def _finish(generated: Generated, *, pdf: bool, file: bool, archive: Archive) -> None:
    click.echo(f"wrote {generated.docx}")
    filed = generated.docx
    if pdf:
        (made,) = to_pdf([generated.docx])
        click.echo(f"wrote {made}")
        filed = made  # the PDF/A is the archival copy
    if file:
        document, added = archive.store_generated(
            filed, generated.metadata, made_from=generated.fingerprint(filed)
        )
        state = "filed" if added else "already in the archive as"
        click.echo(f"{state} {document.id} ({document.kind}, {document.date}, {document.title})")


@click.command()
@click.argument("kind")
@click.argument("data", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The DOCX to write (default: DATE KIND CASE-NUMBER.docx in the current folder).",
)
@click.option("--pdf", is_flag=True, help="Also write a PDF/A-2b beside the DOCX (LibreOffice).")
@click.option(
    "--file",
    "file",
    is_flag=True,
    help="Put the finished document into the archive (the PDF "
    "when --pdf is given), with metadata taken from the data.",
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
    """Write a KIND document (see `diarium templates list`) from DATA, a YAML or JSON file.

    Nothing is written when anything is wrong: every problem is listed, one per line, and the exit
    code is 1.

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
    _finish(generated, pdf=pdf, file=file, archive=archive)


def _heading(spec: Field) -> None:
    mark = "" if spec.required else " (frivilligt, tom rad hoppar över)"
    click.secho(f"\n{spec.label}{mark}", bold=True, err=True)
    if spec.help:
        click.echo(f"  {spec.help}", err=True)


def _ask(label: str, *, required: bool, default: str | None = None) -> str:
    while True:
        answer = click.prompt(
            label,
            default=default if default is not None else "",
            show_default=bool(default),
            err=True,
        ).strip()
        if answer or not required:
            return answer
        click.echo("  Fältet måste fyllas i.", err=True)


def _ask_list(label: str, *, required: bool) -> list[str]:
    items: list[str] = []
    while True:
        answer = _ask(f"{label} {len(items) + 1}", required=required and not items)
        if not answer:
            return items
        items.append(answer)


def _ask_records(spec: Field) -> list[dict[str, Any]]:
    """One record after another; an empty first sub-field ends the list."""
    assert isinstance(spec.item, dict)
    first, *rest = spec.item.values()
    records: list[dict[str, Any]] = []
    while True:
        click.echo(f"  {spec.label} {len(records) + 1} (tom rad avslutar):", err=True)
        lead = _ask(f"  {first.label}", required=spec.required and not records)
        if not lead:
            return records
        record: dict[str, Any] = {first.name: lead}
        for sub in rest:
            if sub.type in ("list", "rows", "textblock"):
                _heading(sub)
            answer = _ask_field(sub, record, prefix="  ")
            if answer not in ("", []):
                record[sub.name] = answer
        records.append(record)


def _ask_field(spec: Field, siblings: dict[str, Any], prefix: str = "") -> Any:
    if spec.type == "textblock":
        return "\n\n".join(_ask_list(f"{prefix}{spec.label}, stycke", required=spec.required))
    if spec.type == "rows":
        columns = siblings.get(spec.columns or "") or []
        click.echo(f"{prefix}Celler åtskilda med ; ({' ; '.join(columns)}).", err=True)
        rows = _ask_list(f"{prefix}Rad", required=spec.required)
        return [[cell.strip() for cell in row.split(";")] for row in rows]
    if spec.is_record_list:
        return _ask_records(spec)
    if spec.type == "list":
        return _ask_list(f"{prefix}{spec.label}, punkt", required=spec.required)
    default = dt.date.today().isoformat() if spec.type == "date" and spec.required else None
    return _ask(f"{prefix}{spec.label}", required=spec.required, default=default)


@click.command()
@click.argument("kind")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The DOCX to write (default: DATE KIND CASE-NUMBER.docx in the current folder).",
)
@click.option(
    "--data",
    "data_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to save the answers (default: beside the DOCX, ending in .yaml).",
)
@click.option("--pdf", is_flag=True, help="Also write a PDF/A-2b beside the DOCX (LibreOffice).")
@click.option("--file", "file", is_flag=True, help="Put the finished document into the archive.")
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
    """Ask for each field of a KIND document, save the answers as YAML and write the document.

    Lists (decision points, officers, recipients) are asked again until an empty answer. When the
    document is refused, the answers are still saved: fix them and run `diarium generate`.
    """
    _check_output(output)
    chosen = find_kind(kind, _templates_dir(templates_dir, archive))
    if pdf:
        find_soffice()
    click.secho(f"{chosen.name}: {chosen.description}", bold=True, err=True)
    values: dict[str, Any] = {}
    for spec in chosen.fields.values():
        _heading(spec)
        answer = _ask_field(spec, values)
        if answer not in ("", [], None):
            values[spec.name] = answer
    target = output or default_output(chosen, values, Path.cwd())
    data_path = data_file or target.with_suffix(".yaml")
    data_path.parent.mkdir(parents=True, exist_ok=True)
    data_path.write_text(
        yaml.safe_dump(values, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8"
    )
    click.echo(f"wrote {data_path}")
    generated = _render(archive, chosen, values, target, str(data_path))
    _finish(generated, pdf=pdf, file=file, archive=archive)


@click.group()
def templates() -> None:
    """The document kinds and their Word templates: list, show, init, check."""


@templates.command("list")
@templates_option
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@archive_option
def list_templates(archive: Archive, templates_dir: Path | None, as_json: bool) -> None:
    """Every document kind and where its template comes from."""
    kinds = load_kinds(_templates_dir(templates_dir, archive))
    if as_json:
        print_json([_kind_summary(k) for k in kinds.values()])
        return
    for kind in kinds.values():
        origin = "built-in" if kind.builtin else str(kind.folder)
        click.echo(f"{kind.slug:<26} {kind.name:<26} {origin}")


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
@click.argument("kind")
@templates_option
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@archive_option
def show_template(archive: Archive, kind: str, templates_dir: Path | None, as_json: bool) -> None:
    """The fields of KIND: name, type, whether required, and the help text."""
    chosen = find_kind(kind, _templates_dir(templates_dir, archive))
    if as_json:
        summary = _kind_summary(chosen)
        summary["fields"] = [_field_dict(f) for f in chosen.fields.values()]
        print_json(summary)
        return
    click.echo(f"{chosen.name} ({chosen.slug}): {chosen.description}")
    click.echo(f"template: {chosen.template}\n")
    _print_fields(chosen.fields.values(), indent="")


def _print_fields(fields: Any, indent: str) -> None:
    for spec in fields:
        required = "required" if spec.required else "optional"
        kind = f"list of {spec.item}" if isinstance(spec.item, str) else spec.type
        click.echo(f"{indent}{spec.name}  ({kind}, {required})")
        if spec.help:
            click.echo(f"{indent}    {spec.help}")
        if isinstance(spec.item, dict):
            _print_fields(spec.item.values(), indent + "    ")


@templates.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init_templates(directory: Path) -> None:
    """Copy the built-in templates into DIRECTORY, for a municipality to edit as its own.

    Kinds already in DIRECTORY are left as they are.
    """
    directory.mkdir(parents=True, exist_ok=True)
    copied = []
    for kind in load_kinds(None).values():
        target = directory / kind.slug
        if target.exists():
            click.echo(f"kept {target} (already there)")
            continue
        shutil.copytree(kind.folder, target)
        copied.append(target)
        click.echo(f"copied {target}")
    shared = directory / SHARED_FIELDS_FILE
    if not shared.exists():
        shutil.copyfile(BUILTIN_DIR / SHARED_FIELDS_FILE, shared)
    click.echo(
        f"Use them with --templates {directory} or `templates: {directory.resolve()}` in the "
        "archive's settings.yaml."
    )


@templates.command("check")
@click.argument("template", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--kind",
    "kind_name",
    help="The kind whose schema to check against (default: the schema.yaml beside the template).",
)
@templates_option
@archive_option
def check_template_command(
    archive: Archive, template: Path, kind_name: str | None, templates_dir: Path | None
) -> None:
    """List placeholders TEMPLATE uses that its schema lacks, and required fields it never shows.

    Exit code 1 when anything is listed.
    """
    if template.suffix.lower() != ".docx":
        raise click.UsageError(f"{template}: a template is a Word file, *.docx")
    if kind_name:
        kind = find_kind(kind_name, _templates_dir(templates_dir, archive))
    else:
        kind = load_kind_folder(template.resolve().parent)
    problems = check_template(template, kind)
    for problem in problems:
        click.echo(f"{template}: {problem}")
    if problems:
        sys.exit(1)
    click.echo(f"{template}: ok for {kind.slug}")


COMMANDS = [generate, new, templates]
