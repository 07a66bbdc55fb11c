"""The seam between diarium's search (indexer/index.py) and the engines that store postings.

Everything engine-neutral stays above it: the query language (query.py), the Swedish expansion
(expand.py), the analysis of documents into field values (fields.py), spelling, snippets
(highlight.py), the order of facet counts (facets.py) and the result model (model.py). An engine
only indexes analysed documents and answers an expanded query tree with the matching documents,
their ranking, stored fields and raw facet counts. Each engine lives in its own package here,
the only place that imports its library.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from indexer.expand import Expanded
from indexer.fields import Analysed

ENGINES = ("whoosh", "tantivy")
DEFAULT_ENGINE = "whoosh"


@dataclass
class Matched:
    """The live documents a query matched, in the engine's own terms (`data`)."""

    total: int
    data: Any


@dataclass
class Stored:
    id: str
    hit: dict[str, Any]  # what fields.analyse() stored for the hit
    pages: list[tuple[int, str]]


class Reader(Protocol):
    """One open, unchanging view of an index (a generation at one commit)."""

    def up_to_date(self) -> bool:
        """False once a newer commit exists: then a fresh reader is opened."""

    def close(self) -> None: ...

    def ids(self) -> set[str]: ...

    def match(self, node: Expanded | None, original: str) -> Matched:
        """Raises QueryError when the node holds nothing searchable (stop words only)."""

    def rank(
        self, matched: Matched, node: Expanded | None, *, by_score: bool, count: int
    ) -> list[tuple[Any, float]]:
        """The first `count` matched documents (handles for `stored`) with their scores: by
        score, else newest first; equal keys in id order, so rebuild equals incremental."""

    def stored(self, handle: Any) -> Stored: ...

    def facet_counts(self, matched: Matched) -> dict[str, dict[str, int]]:
        """{facet: {value: documents}} for each facet of facets.FACETS, in any order."""

    def doc_frequency(self, term: str) -> int:
        """Documents whose body has the term (spelling suggestions)."""

    def terms_from(self, prefix: str) -> list[str]:
        """The body's terms starting with prefix, sorted."""

    def with_term(self, term: str, count: int) -> list[Any]:
        """Handles of a few documents whose body has the term."""


class Engine(Protocol):
    name: str
    # Exceptions that mean a bug of diarium's own while reading, never a damaged index.
    bugs: tuple[type[BaseException], ...]

    def versions(self) -> dict[str, int]:
        """What an index must have been built with to be read (else: rebuild it)."""

    def build(
        self,
        folder: Path,
        docs: Iterable[Analysed],
        *,
        total: int | None,
        progress: Callable[[int], None] | None,
    ) -> int:
        """A new index of the documents in the empty folder; returns the count."""

    def write(
        self, folder: Path, docs: Iterable[Analysed], delete: Iterable[str]
    ) -> tuple[int, int]:
        """Delete the ids, then add the documents (replacing any with the same id), in one
        commit; (added, deleted that were there)."""

    def open(self, folder: Path) -> Reader: ...

    def close(self) -> None: ...


def engine_named(name: str) -> Engine:
    """The engine by its name in settings.yaml (`search_engine`)."""
    if name == "whoosh":
        from indexer.engines.whoosh import WhooshEngine

        return WhooshEngine()
    if name == "tantivy":
        from indexer.engines.tantivy import TantivyEngine

        return TantivyEngine()
    raise ValueError(f"unknown search engine {name!r} (known: {', '.join(ENGINES)})")
