"""Document kinds: a Word template plus a field schema, both files staff may edit.

A kind lives in a folder `<slug>/` holding `template.docx` and `schema.yaml`; the fields every kind
shares are defined once in `fields.yaml` beside the kind folders. A municipality's own folder (made
by `diarium templates init`) has the same layout and wins over the built-in kinds it contains.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from archive import messages as msg
from archive.errors import DiariumError
from archive.model import KINDS
from archive.safeyaml import read_text, safe_load

BUILTIN_DIR = Path(__file__).resolve().parent / "kinds"
SHARED_FIELDS_FILE = "fields.yaml"
SCHEMA_FILE = "schema.yaml"
TEMPLATE_FILE = "template.docx"

TYPES = ("text", "textblock", "date", "case_number", "list", "rows")
SHARED_FIELD_NAMES = (
    "kommun",
    "förvaltning",
    "nämnd",
    "datum",
    "diarienummer",
    "rubrik",
    "handläggare",
    "förslag_till_beslut",
    "sammanfattning",
    "ärendet",
    "beslutsunderlag",
    "beslutet_skickas_till",
    "underskrifter",
)


class SchemaError(DiariumError):
    """A schema or template folder that cannot be used; the message names the file."""


class KindWarning(UserWarning):
    """A municipality's kind folder cannot be read; the other kinds still work."""


class UnknownKind(DiariumError):
    """No kind of that name in the template folders."""


@dataclass(frozen=True)
class Field:
    """One field of a kind; `item` is a type name for lists of values, or sub-fields for records."""

    name: str
    type: str
    label: str
    help: str
    required: bool = False
    min_items: int = 0
    item: str | dict[str, Field] | None = None
    columns: str | None = None  # for rows: the sibling list whose length every row must have
    pattern: str | None = None
    pattern_help: str | None = None

    @property
    def is_record_list(self) -> bool:
        return self.type == "list" and isinstance(self.item, dict)


@dataclass(frozen=True)
class Kind:
    slug: str  # folder name, ASCII: "svar-pa-revisionsrapport"
    kind: str  # the archive's kind value: "svar på revisionsrapport"
    name: str  # the kind word in the document: "Svar på revisionsrapport"
    description: str
    fields: dict[str, Field]
    folder: Path
    builtin: bool = field(default=True, compare=False)
    # The field the archive dates the document by: a protocol is dated by its meeting.
    archive_date: str = "datum"

    @property
    def template(self) -> Path:
        return self.folder / TEMPLATE_FILE

    @property
    def schema_file(self) -> Path:
        return self.folder / SCHEMA_FILE

    @property
    def required(self) -> list[str]:
        return [f.name for f in self.fields.values() if f.required]


def slugify(text: str) -> str:
    """The folder name for a kind: "svar på revisionsrapport" -> "svar-pa-revisionsrapport"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _load_yaml(path: Path) -> dict[str, Any]:
    try:
        data = safe_load(read_text(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemaError(f"{path}: går inte att läsa: {exc}") from None
    except yaml.YAMLError as exc:
        raise SchemaError(f"{path}: {msg.yaml_error(exc)}") from None
    if not isinstance(data, dict):
        raise SchemaError(f"{path}: måste vara en mappning")
    return data


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _parse_field(name: str, spec: Any, where: str) -> Field:
    if not isinstance(spec, dict):
        raise SchemaError(f"{where}: fältet {name!r} måste vara en mappning")
    unknown = set(spec) - {
        "type",
        "label",
        "help",
        "required",
        "min_items",
        "item",
        "columns",
        "pattern",
        "pattern_help",
    }
    if unknown:
        raise SchemaError(
            f"{where}: fältet {name!r} har okända nycklar: {', '.join(sorted(unknown))}"
        )
    kind = spec.get("type")
    if kind not in TYPES:
        raise SchemaError(f"{where}: fältet {name!r} behöver en typ, någon av: {', '.join(TYPES)}")
    item: str | dict[str, Field] | None = None
    if kind == "list":
        raw_item = spec.get("item")
        if isinstance(raw_item, str) and raw_item in ("text", "date", "case_number"):
            item = raw_item
        elif isinstance(raw_item, dict) and raw_item:
            item = {k: _parse_field(k, v, f"{where}: {name}") for k, v in raw_item.items()}
        else:
            raise SchemaError(
                f"{where}: listfältet {name!r} behöver `item`: text, date eller en mappning av fält"
            )
    if kind == "rows" and not isinstance(spec.get("columns"), str):
        raise SchemaError(f"{where}: tabellfältet {name!r} behöver `columns`: listan med rubriker")
    pattern = spec.get("pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise SchemaError(
                f"{where}: fältet {name!r} har ett felaktigt mönster: {exc}"
            ) from None
    return Field(
        name=name,
        type=kind,
        label=str(spec.get("label") or name.replace("_", " ").capitalize()),
        help=str(spec.get("help") or ""),
        required=bool(spec.get("required", False)),
        min_items=int(spec.get("min_items", 0)),
        item=item,
        columns=spec.get("columns"),
        pattern=pattern,
        pattern_help=spec.get("pattern_help"),
    )


def _shared_fields(folder: Path) -> dict[str, Any]:
    own = folder / SHARED_FIELDS_FILE
    data = _load_yaml(own if own.is_file() else BUILTIN_DIR / SHARED_FIELDS_FILE)
    return data


@lru_cache(maxsize=64)
def _load_kind(folder: Path, mtime_ns: int, builtin: bool) -> Kind:
    """Cached by modification time, so a batch parses each schema once but edits are seen."""
    del mtime_ns  # part of the cache key only
    path = folder / SCHEMA_FILE
    data = _load_yaml(path)
    shared = _shared_fields(folder.parent)
    raw_fields = data.get("fields")
    if not isinstance(raw_fields, dict) or not raw_fields:
        raise SchemaError(f"{path}: behöver `fields:`, en mappning från fältnamn till definition")
    fields: dict[str, Field] = {}
    for name, spec in raw_fields.items():
        merged = dict(shared.get(name) or {})
        merged.update(spec or {})
        fields[name] = _parse_field(name, merged, str(path))
    kind_value = str(data.get("kind") or "")
    if kind_value not in KINDS:
        raise SchemaError(f"{path}: `kind` måste vara en av: {', '.join(KINDS)}")
    archive_date = str(data.get("archive_date") or "datum")
    if fields.get(archive_date) is None or fields[archive_date].type != "date":
        raise SchemaError(f"{path}: `archive_date` måste ange ett datumfält, inte {archive_date!r}")
    if not (folder / TEMPLATE_FILE).is_file():
        raise SchemaError(
            f"{folder / TEMPLATE_FILE}: saknas (varje dokumenttyp behöver sin Word-mall)"
        )
    return Kind(
        slug=folder.name,
        kind=kind_value,
        name=str(data.get("name") or kind_value.capitalize()),
        description=str(data.get("description") or ""),
        fields=fields,
        folder=folder,
        builtin=builtin,
        archive_date=archive_date,
    )


def load_kind_folder(folder: Path, *, builtin: bool = False) -> Kind:
    path = folder / SCHEMA_FILE
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        raise SchemaError(f"{path}: saknas") from None
    return _load_kind(folder, mtime, builtin)


def _kind_folders(root: Path) -> Iterator[Path]:
    if root.is_dir():
        for child in sorted(root.iterdir()):
            if (child / SCHEMA_FILE).is_file():
                yield child


def load_kinds(
    templates_dir: Path | None = None, *, broken: dict[str, SchemaError] | None = None
) -> dict[str, Kind]:
    """Every kind by slug: the built-in ones, replaced or extended by a municipality's folder.

    A municipality's kind that cannot be read leaves that kind out (not the built-in one in its
    place: the municipality's layout is the one wanted) and the others usable; its error goes
    into `broken`, or, without one, out as a KindWarning.
    """
    kinds = {f.name: load_kind_folder(f, builtin=True) for f in _kind_folders(BUILTIN_DIR)}
    if templates_dir is not None:
        if not templates_dir.is_dir():
            raise SchemaError(f"{templates_dir}: mallmappen finns inte")
        for folder in _kind_folders(templates_dir):
            try:
                kinds[folder.name] = load_kind_folder(folder)
            except SchemaError as exc:
                kinds.pop(folder.name, None)
                if broken is None:
                    warnings.warn(f"{exc} (dokumenttypen utelämnad)", KindWarning, stacklevel=2)
                else:
                    broken[folder.name] = exc
    return kinds


def find_kind(name: str, templates_dir: Path | None = None) -> Kind:
    """A kind by slug or by its Swedish name as a registrar types it: "svar på revisionsrapport"."""
    broken: dict[str, SchemaError] = {}
    kinds = load_kinds(templates_dir, broken=broken)
    slug = slugify(name)
    if slug in broken:
        raise broken[slug]
    if slug in kinds:
        return kinds[slug]
    for kind in kinds.values():
        if slugify(kind.kind) == slug or slugify(kind.name) == slug:
            return kind
    raise UnknownKind(f"okänd dokumenttyp {name!r} (använd någon av: {', '.join(sorted(kinds))})")
