"""Running a parsed query over the Whoosh segments: match as sets, score by impacts, rank.

Whoosh's own searcher walks every posting through a stack of Python matcher objects (and checks
phrases position by position), and counting the total walks them all again: on the 100,000-
document benchmark that gave p50 55 ms / p95 740 ms. Here each term's postings are read a block
at a time (document numbers and weights come out as arrays), boolean logic is Python set algebra
(done in C), a phrase is checked only on the documents that hold all its words, and the score is
the sum of idf x the impact stored as each posting's weight (see schema.py). The index files,
segments, term dictionary, stored fields and columns are all Whoosh's.

The block access uses W3LeafMatcher's block methods (_read_ids, _read_weights, _read_values,
_next_block), which are not public API: pyproject pins whoosh-reloaded below 2.8 for this, and the
tests run every query shape against a real index.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.searching import Searcher

from indexer import analysis, schema
from indexer.errors import QueryError
from indexer.query import (
    CaseNumber,
    FieldMatch,
    Node,
    Not,
    Or,
    Range,
    Text,
    case_digits_key,
    case_key,
    text_leaves,
)

# A word in the title counts this much more than the same word in the body.
TITLE_BOOST = 3.0
# Fields whose term sets are kept between queries (few distinct values, used as filters/facets).
_CACHED_FIELDS = frozenset({"municipality", "kind", "year", "municipality_name", "kind_name"})


@dataclass
class Postings:
    """One term's postings across all segments, in document order."""

    ids: list[int]
    weights: list[float]
    values: list[bytes] | None

    def idset(self) -> set[int]:
        return set(self.ids)


_EMPTY = Postings([], [], [])


class QueryRunner:
    """Answers queries from one open Whoosh searcher (one generation of the index)."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.leaves = [(sub.reader(), base) for sub, base in searcher.leaf_searchers()]
        self.doc_count_all = searcher.reader().doc_count_all()
        self.deleted: set[int] = set()
        for reader, base in self.leaves:
            self.deleted.update(base + d for d in reader.deleted_docs_set)
        self._sets: dict[tuple[str, str], frozenset[int]] = {}
        self._days: array[int] | None = None
        self._values: dict[str, list[str]] = {}

    # -- postings ---------------------------------------------------------------------------

    def postings(self, field: str, term: str, *, values: bool = False) -> Postings:
        """Document numbers (deleted ones included), weights and optionally position data."""
        ids: list[int] = []
        weights: list[float] = []
        vals: list[bytes] | None = [] if values else None
        for reader, base in self.leaves:
            if (field, term) not in reader:
                continue
            m = reader.postings(field, term)
            if isinstance(m, FilterMatcher):  # deletions are taken out once, at the end
                m = m.child
            start = len(ids)
            if isinstance(m, W3LeafMatcher):
                while m.is_active():
                    m._read_ids()
                    m._read_weights()
                    ids.extend(m._ids)
                    weights.extend(m._weights)
                    if vals is not None:
                        m._read_values()
                        vals.extend(m._values)
                    m._next_block()
            else:  # a term with one posting is kept inline in the term dictionary
                while m.is_active():
                    ids.append(m.id())
                    weights.append(m.weight())
                    if vals is not None:
                        vals.append(m.value())
                    m.next()
            if base:
                ids[start:] = [i + base for i in ids[start:]]
        return Postings(ids, weights, vals)

    def idset(self, field: str, term: str) -> frozenset[int] | set[int]:
        if field not in _CACHED_FIELDS:
            return self.postings(field, term).idset()
        cached = self._sets.get((field, term))
        if cached is None:
            cached = self._sets[(field, term)] = frozenset(self.postings(field, term).ids)
        return cached

    def values(self, field: str) -> list[str]:
        """Every term of a field (across segments), sorted."""
        cached = self._values.get(field)
        if cached is None:
            terms: set[str] = set()
            for reader, _ in self.leaves:
                if field in reader.indexed_field_names():
                    terms.update(
                        t.decode() if isinstance(t, bytes) else t for t in reader.lexicon(field)
                    )
            cached = self._values[field] = sorted(terms)
        return cached

    def days(self) -> array[int]:
        """YYYYMMDD of every document (0 when it has neither date nor year), by docnum."""
        if self._days is None:
            days = array("I")
            for reader, _ in self.leaves:
                days.extend(reader.column_reader("day").load())
            self._days = days
        return self._days

    def live(self) -> set[int]:
        return set(range(self.doc_count_all)) - self.deleted

    # -- matching ---------------------------------------------------------------------------

    def match(self, node: Node, cache: dict[tuple[str, str], Postings]) -> set[int] | None:
        """Documents matching the node; None when it holds nothing searchable (stop words)."""
        if isinstance(node, Text):
            return self._text(analysis.analyze(node.text), cache)
        if isinstance(node, CaseNumber):
            words = self._text(analysis.analyze(node.text), cache) or set()
            return words | self.idset("case", case_key(node.text))
        if isinstance(node, FieldMatch):
            return self._field(node)
        if isinstance(node, Range):
            return self._range(node)
        if isinstance(node, Not):
            inner = self.match(node.item, cache)
            return None if inner is None else self.live() - inner
        parts = node.items
        if isinstance(node, Or):
            found = [m for m in (self.match(p, cache) for p in parts) if m is not None]
            return set().union(*found) if found else None
        positive = [m for p in parts if not isinstance(p, Not) for m in [self.match(p, cache)]]
        negative = [m for p in parts if isinstance(p, Not) for m in [self.match(p.item, cache)]]
        sets = sorted((m for m in positive if m is not None), key=len)
        exclude = [m for m in negative if m is not None]
        if not sets and not exclude:
            return None
        result = set(sets[0]).intersection(*sets[1:]) if sets else self.live()
        return result.difference(*exclude)

    def _postings(
        self, cache: dict[tuple[str, str], Postings], field: str, term: str, values: bool = False
    ) -> Postings:
        got = cache.get((field, term))
        if got is None or (values and got.values is None):
            got = cache[(field, term)] = self.postings(field, term, values=values)
        return got

    def _text(self, terms: list[str], cache: dict[tuple[str, str], Postings]) -> set[int] | None:
        if not terms:
            return None
        if len(terms) == 1:
            return self._postings(cache, "body", terms[0]).idset()
        return self._phrase("body", terms, cache)

    def _phrase(
        self, field: str, terms: list[str], cache: dict[tuple[str, str], Postings]
    ) -> set[int]:
        """Documents where the terms stand next to each other, in order."""
        lists = {t: self._postings(cache, field, t, values=True) for t in dict.fromkeys(terms)}
        candidates = set.intersection(
            *(p.idset() for p in sorted(lists.values(), key=lambda p: len(p.ids)))
        )
        if not candidates:
            return candidates
        where = {
            t: {i: v for i, v in zip(p.ids, p.values or (), strict=True) if i in candidates}
            for t, p in lists.items()
        }
        found: set[int] = set()
        for doc in candidates:
            starts = set(_positions(where[terms[0]][doc]))
            for offset, term in enumerate(terms[1:], start=1):
                starts.intersection_update(p - offset for p in _positions(where[term][doc]))
                if not starts:
                    break
            else:
                found.add(doc)
        return found

    def _field(self, node: FieldMatch) -> set[int] | frozenset[int]:
        value, field = node.value, node.field
        if field == "municipality":
            return self.idset("municipality", schema.key(value))
        if field == "kind":
            return self.idset("kind", schema.key(value))
        if field == "case":
            return self.idset("case", case_key(value)) | self.idset("case", case_digits_key(value))
        if field == "source":
            return self.idset("source", schema.key(value.replace("\\", "/").rsplit("/", 1)[-1]))
        terms = analysis.name_terms(value) if field == "officer" else analysis.analyze(value)
        if not terms:
            return set()
        sets = sorted((self.idset(field, t) for t in dict.fromkeys(terms)), key=len)
        return set(sets[0]).intersection(*sets[1:])

    def _range(self, node: Range) -> set[int] | frozenset[int]:
        if node.field == "year":
            low, high = int(node.low or 0), int(node.high or 9999)
            years = [y for y in self.values("year") if low <= int(y) <= high]
            return set().union(*(self.idset("year", y) for y in years))
        low = _day(node.low, high=False) if node.low else 1
        high = _day(node.high, high=True) if node.high else 99999999
        return {doc for doc, day in enumerate(self.days()) if low <= day <= high}

    # -- ranking ----------------------------------------------------------------------------

    def scores(
        self, node: Node | None, matched: set[int], cache: dict[tuple[str, str], Postings]
    ) -> dict[int, float]:
        """BM25 (impacts x idf) over the body, plus the title's share, for matched documents."""
        terms = list(
            dict.fromkeys(t for leaf in text_leaves(node) for t in analysis.analyze(leaf.text))
        )
        n = max(1, self.doc_count_all - len(self.deleted))
        acc: dict[int, float] = {}
        get = acc.get
        for field, boost in (("body", 1.0), ("title", TITLE_BOOST)):
            for term in terms:
                p = self._postings(cache, field, term)
                if not p.ids:
                    continue
                df = len(p.ids)
                idf = boost * math.log(1 + (n - df + 0.5) / (df + 0.5))
                for doc, weight in zip(p.ids, p.weights, strict=True):
                    if doc in matched:
                        acc[doc] = get(doc, 0.0) + idf * weight
        return acc

    def top_by_score(
        self, matched: set[int], scores: dict[int, float], count: int
    ) -> list[tuple[int, float]]:
        best = heapq.nlargest(count, scores.items(), key=itemgetter(1))
        if len(best) < count:  # matched through metadata alone: no score, document order
            rest = sorted(matched.difference(scores))[: count - len(best)]
            best += [(doc, 0.0) for doc in rest]
        return best

    def top_by_date(self, matched: Iterable[int], count: int) -> list[tuple[int, float]]:
        days = self.days()
        newest = heapq.nlargest(count, matched, key=lambda doc: (days[doc], -doc))
        return [(doc, 0.0) for doc in newest]

    def run(
        self, node: Node | None, original: str
    ) -> tuple[set[int], dict[tuple[str, str], Postings]]:
        """All matching live documents, and the postings read (for scoring)."""
        cache: dict[tuple[str, str], Postings] = {}
        matched = self.match(node, cache) if node is not None else None
        if matched is None:
            raise QueryError(
                f"nothing to search for in query {original!r}: its words are all too common "
                "(stop words)"
                if original.strip()
                else "empty query: give words to search for or a filter"
            )
        if self.deleted:
            matched = matched - self.deleted
        return set(matched), cache


def _positions(value: bytes) -> array[int]:
    positions = array("I")
    positions.frombytes(value)
    return positions


def _day(value: str, *, high: bool) -> int:
    """A query date (YYYY, YYYY-MM or YYYY-MM-DD) as the first or last YYYYMMDD it covers."""
    parts = value.split("-")
    year = int(parts[0])
    month = int(parts[1]) if len(parts) > 1 else (99 if high else 0)
    day = int(parts[2]) if len(parts) > 2 else (99 if high else 0)
    return year * 10000 + month * 100 + day
