"""The data that crosses the indexer's API: no Whoosh type appears here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from indexer.facets import FACETS


def _html_mark(word: str) -> str:
    """Highlighted words in a JSON snippet: HTML's element for marked text."""
    return f"<mark>{word}</mark>"


@dataclass
class IndexDoc:
    """One archived document as the index sees it; built from the archive by archive_sync."""

    id: str
    title: str | None = None
    kind: str | None = None
    municipality: str | None = None
    board: str | None = None
    department: str | None = None
    officers: list[str] = field(default_factory=list)
    case_number: str | None = None
    date: str | None = None  # YYYY-MM-DD
    year: int | None = None
    source: str | None = None  # file name the document came from
    pages: list[tuple[int, str]] = field(default_factory=list)  # (page number, body text)
    # Keyed tokens of the identity numbers in the text (archive.privacy.tokens): found by
    # `search --personal`, never shown.
    personal: list[str] = field(default_factory=list)
    # Secret-marked pages: matched and shown only for someone cleared (search(cleared=True)).
    secret_pages: list[tuple[int, str]] = field(default_factory=list)
    # A mark on the whole document: left out of results and facets unless cleared.
    secret: bool = False
    # The page header and footer lines cleaning took out (a letterhead's address, a running
    # header): words of the document, searched, but never a snippet's page.
    furniture: str = ""


@dataclass
class Hit:
    """One ranked document; `snippet` is plain text and `highlights` are spans into it."""

    id: str
    score: float
    title: str | None
    kind: str | None
    municipality: str | None
    board: str | None
    date: str | None
    year: int | None
    case_number: str | None
    source: str | None
    page: int | None
    snippet: str
    highlights: list[tuple[int, int]] = field(default_factory=list)
    # The snippet's page was read by OCR: {"confidence", "uncertain"}; a number may be misread.
    ocr: dict[str, Any] | None = None

    def marked_snippet(self, mark: Callable[[str], str] = _html_mark) -> str:
        """The snippet with every highlighted word passed through `mark`."""
        out: list[str] = []
        last = 0
        for start, end in self.highlights:
            out += [self.snippet[last:start], mark(self.snippet[start:end])]
            last = end
        out.append(self.snippet[last:])
        return "".join(out)

    def to_dict(self) -> dict[str, Any]:
        # Field by field rather than asdict(), which deep-copies: every search answer makes these.
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "highlights"}
        data["snippet"] = self.marked_snippet()
        data["ocr"] = dict(self.ocr) if self.ocr is not None else None
        return data


@dataclass
class SearchResult:
    """A page of ranked hits, the number of matching documents and (if asked) facet counts."""

    query: str
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    # What the query was searched as: each word with its compound parts, form without å ä ö and
    # synonyms, in the query language with field prefixes and weights (`--explain`).
    expanded: str = ""
    # The query respelled when it found (almost) nothing as typed and the respelling found more;
    # the hits are then those of this query ("Visar resultat för ...").
    corrected: str | None = None
    # {"year": n, "kind": n}: documents a year or kind filter left out only because their value
    # is unknown (no year; the fallback kind "annat"), so a filter never hides them silently.
    unknown: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The `diarium search --json` contract."""
        return {
            "query": self.query,
            "total": self.total,
            "hits": [hit.to_dict() for hit in self.hits],
            "facets": {name: dict(self.facets.get(name, {})) for name in FACETS},
            "corrected": self.corrected,
            "unknown": dict(self.unknown),
        }
