"""What `diarium show --json` prints, and the web API's GET /api/documents/ID with it."""

from __future__ import annotations

from typing import Any

from archive.privacy.operations import masked_pages, masked_record
from archive.store import Archive


def show_data(
    archive: Archive, doc_id: str, *, with_text: bool = False, unmasked: bool = False
) -> dict[str, Any]:
    """The document's record, with its text page by page when asked.

    Masked unless `unmasked` (the registrar's own view): personal data as `[personnummer]`,
    secret-marked pages replaced by a line naming the legal ground (archive.privacy).
    """
    doc = archive.get(doc_id)
    data = doc.to_dict() if unmasked else masked_record(archive, doc)
    if with_text:
        pages = archive.pages(doc.id)
        if not unmasked:
            pages = masked_pages(archive, doc, pages=pages)
        data["text"] = [{"page": p.number, "text": p.text} for p in pages]
    return data
