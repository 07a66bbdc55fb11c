"""The archive's record of one document: what `diarium show --json` prints.

The record is stored as JSON beside the original; its keys are a contract that the index, the
templates' `--file` and users' scripts rely on, so fields are only ever added, never renamed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


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
