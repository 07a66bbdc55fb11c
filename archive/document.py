"""The archive's record of one document: what `diarium show --json` prints.

The record is stored as JSON beside the original; its keys are a contract that the index, the
templates' `--file` and users' scripts rely on, so fields are only ever added, never renamed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class RecordField:
    """One field of the record, declared once: `show`, `list`, `--set`/sidecars and `review`
    take their labels and choices from here."""

    name: str
    label: str  # Swedish, as a person reads it
    settable: bool = False  # by hand: --set key=value, a sidecar, diarium review
    listed: bool = False  # a key of `diarium list --json`
    shown: bool = True  # a line of `diarium show`
    facet: bool = False  # counted in search facets


RECORD_FIELDS: tuple[RecordField, ...] = (
    RecordField("id", "id", listed=True),
    RecordField("source", "fil", listed=True, shown=False),
    RecordField("format", "format", listed=True, shown=False),
    RecordField("kind", "dokumenttyp", settable=True, listed=True, facet=True),
    RecordField("title", "titel", settable=True, listed=True),
    RecordField("date", "datum", settable=True, listed=True),
    RecordField("year", "år", settable=True, listed=True, shown=False, facet=True),
    RecordField("case_number", "diarienummer", settable=True, listed=True),
    RecordField("municipality", "kommun", settable=True, listed=True, facet=True),
    RecordField("board", "nämnd", settable=True, listed=True),
    RecordField("department", "förvaltning", settable=True),
    RecordField("officers", "handläggare", settable=True),
    RecordField("pages", "sidor", listed=True, shown=False),
    RecordField("flags", "flaggor", listed=True),
    RecordField("manual", "satt för hand"),
    RecordField("secrecy", "sekretess", listed=True, shown=False),  # shown by archive.privacy
    RecordField("added_at", "tillagd", listed=True),
)
FIELDS_BY_NAME = {f.name: f for f in RECORD_FIELDS}
SETTABLE_KEYS = tuple(f.name for f in RECORD_FIELDS if f.settable)
LIST_KEYS = tuple(f.name for f in RECORD_FIELDS if f.listed)


@dataclass
class Document:
    id: str
    sha256: str
    source: str  # the original file name
    format: str
    kind: str = "annat"
    title: str | None = None
    date: str | None = None  # YYYY-MM-DD
    year: int | None = None
    case_number: str | None = None
    municipality: str | None = None
    board: str | None = None
    department: str | None = None
    officers: list[str] = field(default_factory=list)
    pages: int = 0
    sections: list[dict[str, str]] = field(default_factory=list)
    tables: list[dict[str, Any]] = field(default_factory=list)
    added_at: str = ""
    flags: list[str] = field(default_factory=list)
    manual: list[str] = field(default_factory=list)  # keys whose value a person set by hand
    size: int = 0
    # Personal data found in the text: [{"kind", "page", "start", "end"}], offsets into the
    # page's text in text.json (archive.privacy); the values themselves are never copied here.
    personal_data: list[dict[str, Any]] = field(default_factory=list)
    # Secrecy marks: [{"ground", "pages": [..] | None, "until", "by", "at"}] (archive.privacy).
    secrecy: list[dict[str, Any]] = field(default_factory=list)
    # {field: {"source": "rule"|"hand"|"template", "rule": name}}: where each value came from.
    provenance: dict[str, dict[str, str]] = field(default_factory=dict)
    # One document in several files, as `generate --pdf --file` makes it: [{"format", "file",
    # "size", "sha256"}], the archival copy (the original) first; empty for a single file.
    renditions: list[dict[str, Any]] = field(default_factory=list)
    # Pages read by OCR: {"engine", "language", "threshold", "copy", "pages": [{"page",
    # "confidence", "uncertain", "words"[, "error"]}]}, or {"error"} when OCR failed.
    ocr: dict[str, Any] | None = None

    def ocr_page(self, number: int | None) -> dict[str, Any] | None:
        """The OCR entry of one page, None for a page read from its own text layer."""
        if not self.ocr or number is None:
            return None
        return next((p for p in self.ocr.get("pages", []) if p["page"] == number), None)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        # Unknown keys are dropped so that an archive written by a newer diarium still opens.
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})
