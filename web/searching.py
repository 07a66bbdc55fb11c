"""Searching as an account: the CLI's query language and filters over the archive's index, with
what the account may not see taken out of results, counts and snippets."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field, replace
from typing import Any

from archive import Archive
from indexer import Hit, Index, SearchResult
from indexer.archive_sync import index_of, mark_ocr
from web import rights

PAGE_SIZE = 20
EXPORT_LIMIT = 10_000
SORTS = ("relevance", "date")

_lock = threading.Lock()
_indexes: dict[str, Index] = {}


@dataclass(frozen=True)
class SearchParams:
    """One search as the URL (and the API) holds it; the names are the CLI's option names."""

    q: str = ""
    municipality: tuple[str, ...] = ()
    board: str = ""
    kind: str = ""
    year: str = ""  # 2021, 2021..2023, 2021.., ..2020
    date_from: str = ""
    date_to: str = ""
    sort: str = "relevance"
    page: int = 1
    limit: int = PAGE_SIZE
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def from_query(cls, query: Any, *, limit: int = PAGE_SIZE) -> SearchParams:
        """From request.GET: `year` or `year_from`/`year_to`, `from`/`to` for dates."""
        year = (query.get("year") or "").strip()
        low, high = (query.get("year_from") or "").strip(), (query.get("year_to") or "").strip()
        if not year and (low or high):
            year = low if low == high else f"{low}..{high}"
        try:
            page = max(1, int(query.get("page") or 1))
        except ValueError:
            page = 1
        sort = query.get("sort") or "relevance"
        return cls(
            q=(query.get("q") or "").strip(),
            municipality=tuple(m for m in query.getlist("municipality") if m.strip()),
            board=(query.get("board") or "").strip(),
            kind=(query.get("kind") or "").strip(),
            year=year,
            date_from=(query.get("from") or "").strip(),
            date_to=(query.get("to") or "").strip(),
            sort=sort if sort in SORTS else "relevance",
            page=page,
            limit=limit,
        )

    @property
    def empty(self) -> bool:
        return (
            not any((self.q, self.municipality, self.board, self.kind, self.year, self.date_from))
            and not self.date_to
        )

    def index_kwargs(self) -> dict[str, Any]:
        return {
            "municipalities": self.municipality,
            "board": self.board or None,
            "kind": self.kind or None,
            "year": self.year or None,
            "date_from": self.date_from or None,
            "date_to": self.date_to or None,
            "sort": self.sort,
        }

    def describe(self) -> dict[str, Any]:
        """What the audit log records of a search."""
        return {k: v for k, v in self.index_kwargs().items() if v} | {"q": self.q}


def index(archive: Archive) -> Index:
    """One open index per archive and process: opening loads the synonyms and the lexicon."""
    key = str(archive.root)
    with _lock:
        if key not in _indexes:
            _indexes[key] = index_of(archive)
        return _indexes[key]


def _record_bytes(archive: Archive, doc_id: str) -> bytes | None:
    # os.path rather than pathlib: read for every hit, and pathlib's joins cost as much as the
    # read itself
    path = os.path.join(archive.documents_dir, doc_id[:2], doc_id, "record.json")
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError:
        return None


def record_of(archive: Archive, doc_id: str) -> dict[str, Any] | None:
    """The stored record as it is on disk, with the fields this diarium's Document may not know
    yet (secrecy, personal_data)."""
    raw = _record_bytes(archive, doc_id)
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def search(
    user: Any, archive: Archive, params: SearchParams, *, facets: bool = True
) -> SearchResult:
    """`Index.search` as this account may see it (QueryError for a query that cannot be read):
    the index leaves secret documents out of results and counts for those not cleared; each
    hit is checked once more against its record."""
    result = index(archive).search(
        params.q,
        limit=params.limit,
        page=params.page,
        facets=facets,
        cleared=rights.is_cleared(user),
        **params.index_kwargs(),
    )
    records = {hit.id: record_of(archive, hit.id) for hit in result.hits}
    # a snippet from an OCR page says so: a number may be misread
    mark_ocr(archive, result, records)
    hits = [as_seen(user, archive, hit, records[hit.id]) for hit in result.hits]
    return replace(result, hits=[h for h in hits if h is not None])


def as_seen(
    user: Any, archive: Archive, hit: Hit, record: dict[str, Any] | None = None
) -> Hit | None:
    """The hit checked against its record (read here unless given): gone if secret, its snippet
    left out when it comes from a secret page, personal data in it masked."""
    if rights.is_cleared(user):
        return hit
    if record is None:
        record = record_of(archive, hit.id)
    if record is None or not rights.may_see(user, record):
        return None
    if hit.page is not None and hit.page in rights.hidden_pages(user, record):
        return replace(hit, snippet="", highlights=[], page=None)
    if record.get("personal_data"):
        pages = {p.number: p.text for p in archive.pages(hit.id)}
        snippet = hit.snippet
        for word in rights.masked_words(user, record, pages):
            snippet = snippet.replace(word, rights.mask(word, [(0, len(word))]))
        return replace(hit, snippet=snippet)
    return hit


def export_rows(result: SearchResult) -> tuple[list[str], list[list[Any]]]:
    """The columns of the CSV and XLSX exports (the same for both)."""
    header = [
        "id",
        "titel",
        "dokumenttyp",
        "kommun",
        "nämnd",
        "datum",
        "år",
        "diarienummer",
        "fil",
        "sida",
        "utdrag",
    ]
    rows = [
        [
            h.id,
            h.title or "",
            h.kind or "",
            h.municipality or "",
            h.board or "",
            h.date or "",
            h.year or "",
            h.case_number or "",
            h.source or "",
            h.page or "",
            h.snippet,
        ]
        for h in result.hits
    ]
    return header, rows
