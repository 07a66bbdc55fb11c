"""Privacy on a stored document: its masked text and record, secrecy marks, a scan of the archive.

Everything that shows a document's text outside the registrar's own `--unmasked` view goes
through `masked_pages` / `masked_record`, so a mask or a mark is kept in one place.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from archive.document import Document
from archive.model import Page
from archive.privacy.masking import mask_page, mask_value, masked_kinds, scan_pages
from archive.privacy.secrecy import make_mark, secret_pages

if TYPE_CHECKING:
    from archive.store import Archive


def secret_placeholder(ground: str) -> str:
    return f"[sekretess enligt {ground}: sidan visas inte]"


def masked_pages(
    archive: Archive, doc: Document, *, cleared: bool = False, pages: list[Page] | None = None
) -> list[Page]:
    """The document's pages as anyone may see them: personal data masked, and (unless
    `cleared`) each secret-marked page replaced by a line naming the legal ground."""
    kinds = masked_kinds(archive.settings)
    pages = archive.pages(doc.id) if pages is None else pages
    secret = {} if cleared else secret_pages(doc.secrecy, doc.pages or len(pages))
    return [
        Page(
            p.number,
            secret_placeholder(secret[p.number])
            if p.number in secret
            else mask_page(p, doc.personal_data, kinds),
        )
        for p in pages
    ]


def masked_record(archive: Archive, doc: Document) -> dict[str, Any]:
    """The record as `show --json` and exports print it: every text value masked."""
    data = doc.to_dict()
    kinds = masked_kinds(archive.settings)
    for key in ("title", "source", "sections", "tables", "officers"):
        data[key] = mask_value(data[key], kinds)
    secret = secret_pages(doc.secrecy, doc.pages)
    if secret:
        # Sections say no page they stand on, so any secret page empties them all.
        data["tables"] = [t for t in data["tables"] if t.get("page") not in secret]
        data["sections"] = [{"heading": s["heading"], "text": ""} for s in data["sections"]]
    return data


def mark(
    archive: Archive,
    doc_id: str,
    ground: str,
    *,
    pages: str | None = None,
    until: str | None = None,
    by: str | None = None,
) -> Document:
    """Record a secrecy mark on a document (or some of its pages)."""
    from archive.store import now_iso

    doc = archive.get(doc_id)
    new = make_mark(ground, pages=pages, until=until, by=by, at=now_iso(), page_count=doc.pages)
    return archive.update_record(
        doc.id, lambda record: record.update(secrecy=[*record.get("secrecy", []), new])
    )


def unmark(archive: Archive, doc_id: str, ground: str | None = None) -> Document:
    """Take a document's marks away (those on `ground` only, if given)."""

    def change(record: dict[str, Any]) -> None:
        record["secrecy"] = [
            m for m in record.get("secrecy", []) if ground is not None and m["ground"] != ground
        ]

    return archive.update_record(doc_id, change)


@dataclass
class ScanReport:
    documents: int = 0
    changed: list[str] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)
    per_document: Counter[str] = field(default_factory=Counter)

    def to_dict(self, top: int = 10) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "changed": len(self.changed),
            "kinds": dict(self.kinds.most_common()),
            "most": [{"id": d, "count": n} for d, n in self.per_document.most_common(top)],
        }


def scan(archive: Archive, progress: Callable[[int], None] | None = None) -> ScanReport:
    """Find personal data in every stored document anew and record it where it changed."""
    report = ScanReport()
    for doc_id in list(archive.ids()):
        doc = archive.get(doc_id)
        found = scan_pages(archive.pages(doc_id))
        report.documents += 1
        report.kinds.update(d["kind"] for d in found)
        if found:
            report.per_document[doc_id] = len(found)
        if found != doc.personal_data:
            archive.update_record(
                doc_id, lambda record, found=found: record.update(personal_data=found)
            )
            report.changed.append(doc_id)
        if progress:
            progress(1)
    return report
