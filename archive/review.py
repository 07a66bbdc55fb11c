"""What the rules left empty, and a registrar's answers written back as hand-set values.

Kind, date and municipality are what filters and facets stand on; a document that lacks one is
lost to a colleague filtering by it. `missing(archive)` lists those gaps with the text around
where the value would stand, and `set_by_hand` writes an answer through `Archive.update_record`
(the one way a stored record changes), marked `{"source": "hand"}` in the record's provenance.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from archive.document import FIELDS_BY_NAME, Document
from archive.overrides import normalise
from archive.store import Archive

REVIEWED = ("kind", "date", "municipality")
LABELS = {name: FIELDS_BY_NAME[name].label for name in REVIEWED}
CONTEXT_LINES = 3
CONTEXT_CHARS = 160  # per line shown

# Where in a text each value usually stands: a date's digits or month, a municipality's name.
_HINTS = {
    "date": re.compile(
        r"\b(?:19|20)\d\d\b|\b(?:januari|februari|mars|april|maj|juni|juli|augusti|september|"
        r"oktober|november|december)\b|\bdatum\b",
        re.I,
    ),
    "municipality": re.compile(r"\b(?:kommun|stad|region|plats|www\.)", re.I),
    "kind": re.compile(r"\w"),
}


@dataclass
class Missing:
    id: str
    source: str
    field: str
    context: list[str]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def is_missing(doc: Document, field: str) -> bool:
    """Empty, or for the kind the fallback "annat" that no rule and no person chose."""
    if field == "kind":
        return doc.kind == "annat" and not doc.provenance.get("kind")
    return not getattr(doc, field)


def missing(archive: Archive) -> Iterator[Missing]:
    """Every empty kind, date and municipality, document by document (by file name)."""
    for doc in sorted(archive.documents(), key=lambda d: (d.source, d.id)):
        gaps = [field for field in REVIEWED if is_missing(doc, field)]
        if not gaps:
            continue
        lines = [" ".join(line.split()) for line in archive.text(doc.id).splitlines()]
        lines = [line for line in lines if line]
        for field in gaps:
            yield Missing(doc.id, doc.source, field, context(lines, field))


def context(lines: list[str], field: str) -> list[str]:
    """The first lines that hint at where the value stands (the first lines when none do)."""
    hint = _HINTS[field]
    chosen = [line for line in lines[:80] if hint.search(line)][:CONTEXT_LINES] or lines[:3]
    return [_clip(line, hint) for line in chosen]


def _clip(line: str, hint: re.Pattern[str]) -> str:
    if len(line) <= CONTEXT_CHARS:
        return line
    match = hint.search(line)
    start = max(0, (match.start() if match else 0) - CONTEXT_CHARS // 3)
    return ("…" if start else "") + line[start : start + CONTEXT_CHARS] + "…"


def set_by_hand(archive: Archive, doc_id: str, values: dict[str, Any]) -> Document:
    """Write checked values as hand-set (raises OverrideError for a bad value)."""
    clean = normalise(values, origin="review")
    if clean.get("municipality"):
        clean["municipality"] = archive.profiles().canonical(clean["municipality"])

    def change(record: dict[str, Any]) -> None:
        record.update(clean)
        record["manual"] = sorted({*record.get("manual", []), *clean})
        provenance = record.setdefault("provenance", {})
        for key in clean:
            provenance[key] = {"source": "hand"}

    return archive.update_record(doc_id, change)
