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
from types import TracebackType
from typing import Any, Protocol

from indexer.errors import QueryError
from indexer.expand import Expanded
from indexer.fields import Analysed

ENGINES = ("whoosh", "tantivy")
# What an archive without `search_engine` in settings.yaml is searched with. Read when an index
# is made (not bound at import), so the contract tests can run every test on each engine.
DEFAULT_ENGINE = "whoosh"
# What an index made before there was a choice was made with.
LEGACY_ENGINE = "whoosh"


def default_engine() -> str:
    return DEFAULT_ENGINE


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

    def match(self, node: Expanded | None, original: str, *, by_score: bool, count: int) -> Matched:
        """Raises QueryError when the node holds nothing searchable (stop words only).

        `by_score` and `count`: what rank() will be asked (an engine may rank right away)."""

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

    def is_damage(self, exc: BaseException) -> bool:
        """Whether an exception while reading means the engine's files cannot be read (the
        index is damaged: rebuild it), not a bug of diarium's own (an internal error)."""

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


_REPO = Path(__file__).resolve().parents[2]
_OWN = str(_REPO)
_LIBRARIES = tuple(str(p) for p in _REPO.glob(".*"))  # a virtual environment inside the checkout


def raised_at(exc: BaseException) -> str:
    """The file of the innermost frame the exception passed through (where it was raised, or
    where diarium called into a compiled engine that raised it)."""
    tb: TracebackType | None = exc.__traceback__
    last = ""
    while tb is not None:
        last = tb.tb_frame.f_code.co_filename
        tb = tb.tb_next
    return last


def raised_in_own_code(exc: BaseException, *, except_in: Path | None = None) -> bool:
    """Whether diarium's own code raised it (outside `except_in`, an engine's own folder)."""
    where = raised_at(exc)
    if except_in is not None and where.startswith(str(except_in)):
        return False
    return where.startswith(_OWN) and not where.startswith(_LIBRARIES)


def nothing_to_search(original: str) -> QueryError:
    """What a query that leaves nothing to match raises, in every engine."""
    return QueryError(
        f"inget att söka efter i frågan {original!r}: alla dess ord är för vanliga (stoppord)"
        if original.strip()
        else "tom fråga: ge ord att söka efter eller ett filter"
    )


def engine_named(name: str) -> Engine:
    """The engine by its name in settings.yaml (`search_engine`)."""
    if name == "whoosh":
        from indexer.engines.whoosh import WhooshEngine

        return WhooshEngine()
    if name == "tantivy":
        from indexer.engines.tantivy import TantivyEngine

        return TantivyEngine()
    raise ValueError(f"unknown search engine {name!r} (known: {', '.join(ENGINES)})")
