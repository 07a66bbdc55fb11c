"""The plain data that flows between extraction, metadata, the archive store and the index.

These types are deliberately free of any library type (pdfplumber, python-docx, Whoosh) so that
every stage can be tested alone and the JSON on disk stays a stable contract.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from archive.document import SETTABLE_KEYS as _SETTABLE_KEYS


@dataclass
class Page:
    """One page of body text; DOCX and plain text have a single page numbered 1."""

    number: int
    text: str


@dataclass
class Table:
    """A table as rows of cell strings, with the page it stands on."""

    page: int
    rows: list[list[str]]


@dataclass
class Heading:
    """A heading found by the extractor (DOCX styles, Markdown `#`); level 1 is the top."""

    level: int
    text: str


@dataclass
class Extraction:
    """What an extractor read from one file, before any metadata rules run."""

    format: str  # "pdf", "docx", "txt", "md"
    pages: list[Page]
    tables: list[Table] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    header_text: str = ""  # DOCX page header, kept apart from the body
    footer_text: str = ""  # DOCX page footer, kept apart from the body
    flags: list[str] = field(default_factory=list)  # e.g. "no text layer"
    properties: dict[str, str] = field(default_factory=dict)  # file's own title/author/subject
    # A layout-aware reader's (PDF) text in each page's top and bottom margin band, for the
    # cleaning step; not stored.
    margins: list[tuple[str, str]] | None = None
    ocr: dict[str, Any] | None = None  # the record's `ocr` field when pages were read by OCR
    # Files stored beside the original, by name: the searchable PDF/A copy of a scan.
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.pages)


@dataclass
class Section:
    heading: str
    text: str


@dataclass
class Metadata:
    """What the rules read from the text; empty where the text does not say."""

    kind: str = "annat"
    title: str | None = None
    date: str | None = None  # YYYY-MM-DD
    case_number: str | None = None
    municipality: str | None = None
    board: str | None = None
    department: str | None = None
    officers: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    # {field: {"source": "rule", "rule": name}}: which rule read each value.
    provenance: dict[str, dict[str, str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# Keys a user may set by hand (`--set key=value`, a sidecar NAME.meta.yaml), from the record's
# one field declaration.
SETTABLE_KEYS = _SETTABLE_KEYS

KINDS = (
    "tjänsteskrivelse",
    "yttrande",
    "svar på revisionsrapport",
    "verksamhetsuppföljning",
    "protokoll",
    "protokollsutdrag",
    "revisionsrapport",
    "annat",
)
