"""What `diarium show --json` prints, and the web API's GET /api/documents/ID with it."""

from __future__ import annotations

from typing import Any

from archive.store import Archive


def show_data(archive: Archive, doc_id: str, *, with_text: bool = False) -> dict[str, Any]:
    """The document's record, with its text page by page when asked."""
    doc = archive.get(doc_id)
    data = doc.to_dict()
    if with_text:
        data["text"] = [{"page": p.number, "text": p.text} for p in archive.pages(doc.id)]
    return data
