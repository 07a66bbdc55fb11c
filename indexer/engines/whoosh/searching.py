"""Running a parsed query over the Whoosh segments: match as sets, score by impacts, rank.

Whoosh's own searcher walks every posting through a stack of Python matcher objects (and checks
phrases position by position), and counting the total walks them all again: measured before this
work on 100,000 documents, p50 55 ms and p95 740 ms. Here each term's postings are read a block
at a time (document numbers and weights come out as arrays), a match is a numpy mask with one
flag per document (boolean logic is one vectorised operation), a phrase is checked only on the
documents that hold all its words, and the score is the sum of idf x the impact stored as each
posting's weight (see schema.py), added a whole posting list at a time. Python sets and dicts
did this first; at 100,000 documents a word found in half of them spent most of its time
building them (issue 6: compound parts and synonyms double a common word's postings). The index
files, segments, term dictionary, stored fields and columns are all Whoosh's.

The block access uses W3LeafMatcher's block methods (_read_data, _next_block, block_max_id)
and a segment's term table (reader._terms), which are not public API of whoosh-reloaded 2.7:
the tests run every query shape against real indexes, so a Whoosh release that changes them
fails the suite rather than users.
"""

from __future__ import annotations

import heapq
import math
import struct
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate, compress, repeat
from operator import add, itemgetter, lshift, rshift
from typing import Any

import numpy as np
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher

from indexer import analysis, synonyms
from indexer import fields as declared
from indexer.engines import nothing_to_search
from indexer.engines.whoosh import schema
from indexer.engines.whoosh.codec import BlockMatcher, value_ends
from indexer.expand import BODY, PHRASES, Expanded, Variant, score_terms
from indexer.facets import chosen
from indexer.query import (
    And,
    CaseNumber,
    FieldMatch,
    Not,
    Or,
    Range,
    Text,
    case_digits_key,
    case_key,
    day_number,
)
from indexer.synonyms import PHRASE_JOIN

# A document number as the bytes of one element of array("I") (packed positions use that too).
_UINT = struct.Struct("=I").pack
_FLOAT = struct.Struct("=f").pack  # a weight as the bytes of one element of array("f")
# Fields whose term sets are kept between queries (few distinct values, used as filters/facets).
_CACHED_FIELDS = frozenset(
    {"municipality", "kind", "year", "municipality_name", "board_name", "kind_name"}
)


# A set of documents: one flag per document number (deleted ones included, always False).
Mask = np.ndarray


@dataclass
class Postings:
    """One term's postings across all segments, in document order (ids are unique)."""

    ids: np.ndarray  # int64 document numbers
    weights: np.ndarray  # float64 impacts
    _mask: Mask | None = field(default=None, repr=False)

    def mask(self, size: int) -> Mask:
        if self._mask is None:
            self._mask = _mask_of(self.ids, size)
        return self._mask


class QueryRunner:
    """Answers queries from one open Whoosh searcher (one generation of the index)."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.leaves = [  # an empty index has one stand-in reader without segment files
            (sub.reader(), base)
            for sub, base in searcher.leaf_searchers()
            if sub.reader().doc_count_all()
        ]
        self.doc_count_all = searcher.reader().doc_count_all()
        deleted = [base + d for reader, base in self.leaves for d in reader.deleted_docs_set]
        self.live = ~_mask_of(np.array(deleted, dtype=np.int64), self.doc_count_all)
        self.live.flags.writeable = False
        self.live_count = int(np.count_nonzero(self.live))
        self._masks: dict[tuple[str, str], Mask] = {}
        self._days: np.ndarray | None = None
        self._values: dict[str, list[str]] = {}
        self._bases = [base for _, base in self.leaves]
        self._ids: dict[int, str] = {}
        # Open every file a search reads now: Whoosh opens some lazily, and a rebuild removes
        # the old generation's files once it has swapped in the new one (open files stay
        # readable; unopened ones would be gone).
        self._id_columns = [reader.column_reader("id") for reader, _ in self.leaves]
        self._day_columns = [reader.column_reader("day") for reader, _ in self.leaves]
        for reader, _ in self.leaves:
            if reader.doc_count_all():
                reader.stored_fields(0)

    # -- postings ---------------------------------------------------------------------------

    def _matchers(self, field: str, term: str) -> Iterator[tuple[Any, int, int]]:
        """The term's raw posting reader in each segment that has it, with the segment's first
        document number and its size."""
        if field not in self.searcher.schema:
            return
        key = term.encode()
        form = self.searcher.schema[field].format
        for reader, base in self.leaves:
            # The segment's term table directly (private): one lookup, where `in` and then
            # reader.postings() looked the term up twice, in every segment, for every term
            # (a sixth of a query's time at 100,000 documents); deletions are taken out once,
            # at the end, so Whoosh's deletion filter is not wanted either.
            try:
                m = reader._terms.matcher(field, key, form)
            except TermNotFound:
                continue
            yield m, base, reader.doc_count_all()

    def postings(self, field: str, term: str) -> Postings:
        """Document numbers (deleted ones included) and weights, a block at a time.

        A block's ids are deltas from the start of its segment (array bytes, see codec.py);
        each block's first is rebased on the previous posting read, so one cumulative sum over
        all blocks gives document numbers.
        """
        deltas: list[bytes] = []
        weights: list[bytes] = []
        starts: list[int] = []  # where each block starts among the postings
        rebase: list[int] = []  # what its first delta needs added
        count = last = 0  # postings read; document number of the last one
        for m, base, _ in self._matchers(field, term):
            if isinstance(m, BlockMatcher):
                while m.is_active():
                    block_deltas, block_weights, _ = _block(m)
                    size = len(block_deltas) // 4
                    if not isinstance(block_weights, bytes):  # None: all 1.0; float: all equal
                        block_weights = _FLOAT(1.0 if block_weights is None else block_weights)
                        block_weights *= size
                    deltas.append(block_deltas)
                    weights.append(block_weights)
                    starts.append(count)
                    rebase.append(base - last)
                    count += size
                    last = base + m.block_max_id()
                    m._next_block()
            else:  # a term with one posting is kept inline in the term dictionary
                while m.is_active():
                    deltas.append(_UINT(m.id()))
                    weights.append(_FLOAT(m.weight()))
                    starts.append(count)
                    rebase.append(base - last)
                    count += 1
                    last = base + m.id()
                    m.next()
        ids = np.frombuffer(b"".join(deltas), dtype=np.uint32).astype(np.int64)
        ids[np.array(starts, dtype=np.intp)] += np.array(rebase, dtype=np.int64)
        impacts = np.frombuffer(b"".join(weights), dtype=np.float32).astype(np.float64)
        return Postings(np.cumsum(ids), impacts)

    def posting_values(self, field: str, term: str, docs: set[int]) -> dict[int, bytes]:
        """The term's posting values (phrase data) in the given documents; blocks holding none
        of them are skipped unread."""
        out: dict[int, bytes] = {}
        wanted = sorted(docs)
        for m, base, size in self._matchers(field, term):
            end = base + size
            local = [d - base for d in wanted[bisect_left(wanted, base) : bisect_left(wanted, end)]]
            here = set(local)
            if isinstance(m, BlockMatcher):
                low = -1
                while m.is_active():
                    high = m.block_max_id()
                    if bisect_right(local, high) > bisect_right(local, low):
                        deltas, _, (lengths, blob) = _block(m)
                        ids = list(accumulate(memoryview(deltas).cast("I")))
                        keep = list(compress(range(len(ids)), map(here.__contains__, ids)))
                        ends = value_ends(lengths)
                        for i in keep:  # only the wanted values are cut out of the blob
                            out[base + ids[i]] = blob[ends[i - 1] if i else 0 : ends[i]]
                    low = high
                    m._next_block()
            else:
                while m.is_active():
                    if m.id() in here:
                        out[m.id() + base] = m.value()
                    m.next()
        return out

    def mask(self, field: str, term: str) -> Mask:
        """The documents with the term; kept (read-only) for the fields filters and facets use."""
        if field not in _CACHED_FIELDS:
            return self.postings(field, term).mask(self.doc_count_all)
        cached = self._masks.get((field, term))
        if cached is None:
            cached = self.postings(field, term).mask(self.doc_count_all)
            cached.flags.writeable = False
            self._masks[(field, term)] = cached
        return cached

    def none(self) -> Mask:
        return np.zeros(self.doc_count_all, dtype=bool)

    def terms_of(self, field: str) -> list[str]:
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

    def doc_frequency(self, field: str, term: str) -> int:
        """Documents with the term (deleted ones included): cheap, from the term dictionary."""
        return sum(reader.doc_frequency(field, term) for reader, _ in self.leaves)

    def terms_from(self, field: str, prefix: str) -> list[str]:
        """The field's terms starting with prefix, sorted (read from each segment's dictionary,
        so a typo check reads one letter's share of the vocabulary)."""
        terms: set[str] = set()
        for reader, _ in self.leaves:
            if field in reader.indexed_field_names():
                terms.update(
                    t.decode() if isinstance(t, bytes) else t
                    for t in reader.expand_prefix(field, prefix)
                )
        return sorted(terms)

    def days(self) -> np.ndarray:
        """YYYYMMDD of every document (0 when it has neither date nor year), by docnum."""
        if self._days is None:
            days = array("I")
            for column in self._day_columns:
                days.extend(column.load())
            self._days = np.array(days, dtype=np.int64)
        return self._days

    # -- matching ---------------------------------------------------------------------------

    def match(
        self, node: Expanded, cache: dict[tuple[str, str], Postings], within: Mask | None = None
    ) -> Mask | None:
        """Documents matching the node; None when it holds nothing searchable (stop words).

        `within`: the only documents whose answer is asked for (None: all); outside them the
        mask may say anything. Word order is checked (the costly part of a phrase, read from
        the positions) only there: a phrase inside AND is checked on the documents the other
        words left, a synonym phrase beside its word only on documents the word did not find
        (two-phase matching, as in Lucene: cheap approximation first, then confirmation).
        """
        if isinstance(node, Text):
            return self._text(analysis.analyze(node.text), cache, within)
        if isinstance(node, Variant):
            if node.field == BODY:  # a synonym: a word, or words standing together
                return self._text(list(node.terms), cache, within)
            return self._postings(cache, node.field, node.terms[0]).mask(self.doc_count_all)
        if isinstance(node, CaseNumber):
            words = self._text(analysis.analyze(node.text), cache, within)
            whole = self.mask("case", case_key(node.text))
            return whole if words is None else words | whole
        if isinstance(node, FieldMatch):
            return self._field(node)
        if isinstance(node, Range):
            return self._range(node)
        if isinstance(node, Not):
            inner = self.match(node.item, cache, within)
            return None if inner is None else self.live & ~inner
        if isinstance(node, Or):
            found: Mask | None = None
            for item in sorted(node.items, key=_checks_order):
                rest = within if found is None else _and(within, ~found)
                got = self.match(item, cache, rest)
                if got is not None:
                    found = got if found is None else found | got
            return found
        result: Mask | None = None
        for item in sorted(node.items, key=_checks_order):
            got = self.match(item, cache, _and(within, result))
            if got is not None:
                result = got if result is None else result & got
        return result

    def _postings(self, cache: dict[tuple[str, str], Postings], field: str, term: str) -> Postings:
        got = cache.get((field, term))
        if got is None:
            got = cache[(field, term)] = self.postings(field, term)
        return got

    def _text(
        self, terms: list[str], cache: dict[tuple[str, str], Postings], within: Mask | None
    ) -> Mask | None:
        if not terms:
            return None
        size = self.doc_count_all
        if synonyms.is_indexed_phrase(terms):  # one list, without reading the words' lists
            return self._postings(cache, PHRASES, PHRASE_JOIN.join(terms)).mask(size)
        found = np.logical_and.reduce(
            [self._postings(cache, "body", t).mask(size) for t in dict.fromkeys(terms)]
        )
        if len(terms) == 1:
            return found
        candidates = _and(within, found)
        if not candidates.any():
            return candidates
        docs = self._phrase(terms, set(np.flatnonzero(candidates).tolist()))
        return _mask_of(np.fromiter(docs, dtype=np.int64, count=len(docs)), size)

    def _phrase(self, terms: list[str], candidates: set[int]) -> set[int]:
        """The candidates (documents holding every term) where the terms stand in order.

        First each word must list the next one among its followers in that document (see
        schema.PhrasePositions): for two words that is the answer. Longer phrases are then
        checked by position on the documents left. There each (document, position) pair
        becomes one integer, shifted back by the term's place in the phrase, so checking
        every document at once is one set intersection per term, done in C.
        """
        values: dict[str, dict[int, bytes]] = {}
        for word, after in zip(terms, terms[1:], strict=False):
            if word not in values:
                values[word] = self.posting_values("body_pos", word, candidates)
            pattern = f"{schema.SEP}{after}{schema.SEP}".encode()
            docs = [doc for doc in values[word] if doc in candidates]
            data = list(map(values[word].__getitem__, docs))
            ends = map(
                add, map(itemgetter(0), map(schema.PHRASE_LENGTH.unpack_from, data)), repeat(4)
            )
            found = map(bytes.find, data, repeat(pattern), repeat(4), ends)
            candidates = set(compress(docs, map((-1).__lt__, found)))
            if not candidates:
                return candidates
        if len(terms) == 2:
            return candidates
        span = len(terms)
        hits: set[int] = set()
        for offset, term in enumerate(terms):
            if term not in values:
                values[term] = self.posting_values("body_pos", term, candidates)
            docs, places = _positions({d: v for d, v in values[term].items() if d in candidates})
            keys = set(
                map(add, map(lshift, docs, repeat(32)), map((span - offset).__add__, places))
            )
            hits = keys if not offset else hits & keys
            if not hits:
                return set()
        return set(map(rshift, hits, repeat(32)))

    def _field(self, node: FieldMatch) -> Mask:
        value, field = node.value, node.field
        if field == "municipality":
            return self.mask("municipality", declared.key(value))
        if field == "kind":
            return self.mask("kind", declared.key(value))
        if field == "case":
            return self.mask("case", case_key(value)) | self.mask("case", case_digits_key(value))
        if field == "source":
            return self.mask("source", declared.key(value.replace("\\", "/").rsplit("/", 1)[-1]))
        if declared.BY_NAME[field].kind == declared.KEYWORDS:  # exact keys (privacy fields)
            return self.mask(field, value)
        if declared.BY_NAME[field].kind == declared.VALUE:  # a facet's values (the board filter)
            values = chosen(value, self.terms_of(field))
            return np.logical_or.reduce([self.none(), *(self.mask(field, v) for v in values)])
        terms = analysis.name_terms(value) if field == "officer" else analysis.analyze(value)
        if not terms:
            return self.none()
        return np.logical_and.reduce([self.mask(field, t) for t in dict.fromkeys(terms)])

    def _range(self, node: Range) -> Mask:
        if node.field == "year":
            low, high = int(node.low or 0), int(node.high or 9999)
            years = [y for y in self.terms_of("year") if low <= int(y) <= high]
            return np.logical_or.reduce([self.none(), *(self.mask("year", y) for y in years)])
        low = day_number(node.low, high=False) if node.low else 1
        high = day_number(node.high, high=True) if node.high else 99999999
        days = self.days()
        return (days >= low) & (days <= high)

    # -- ranking ----------------------------------------------------------------------------

    def scores(self, node: Expanded | None, cache: dict[tuple[str, str], Postings]) -> np.ndarray:
        """BM25 (impacts x idf) of every document over the terms and weights of
        expand.score_terms. Documents that do not match get scores too; the ranking only looks
        at those that do."""
        scored = score_terms(node).items()
        n = max(1, self.live_count)
        total = np.zeros(self.doc_count_all)
        for (name, term), boost in scored:
            p = self._postings(cache, name, term)
            if not p.ids.size:
                continue
            df = int(np.count_nonzero(self.live[p.ids]))
            idf = boost * math.log(1 + (n - df + 0.5) / (df + 0.5))
            total[p.ids] += idf * p.weights  # a term's ids are unique: no lost additions
        return total

    def top_by_score(
        self, scores: np.ndarray, matched: Mask, count: int
    ) -> list[tuple[int, float]]:
        """The best `count` matched documents (those matched through metadata alone score 0)."""
        return self._top(np.flatnonzero(matched), scores, count)

    def top_by_date(self, matched: Mask, count: int) -> list[tuple[int, float]]:
        docs = np.flatnonzero(matched)
        return [(doc, 0.0) for doc, _ in self._top(docs, self.days(), count)]

    def _top(self, docs: np.ndarray, keys: np.ndarray, count: int) -> list[tuple[int, float]]:
        """The documents with the largest keys, with their keys; equal keys in id order, so the
        order does not depend on how documents happen to be numbered in segments (rebuild ==
        incremental)."""
        if not docs.size:
            return []
        values = keys[docs]
        if docs.size > count:
            cutoff = np.partition(values, docs.size - count)[docs.size - count]
        else:
            cutoff = values.min()
        above = docs[values > cutoff]
        ranked = sorted(
            zip(above.tolist(), values[values > cutoff].tolist(), strict=True),
            key=lambda item: (-item[1], self.doc_id(item[0])),
        )
        tied = docs[values == cutoff].tolist()
        rest = heapq.nsmallest(count - len(ranked), tied, key=self.doc_id)
        return ranked + [(doc, float(cutoff)) for doc in rest]

    def doc_id(self, docnum: int) -> str:
        """The archive id of a document number (read one at a time: usually ten are needed)."""
        found = self._ids.get(docnum)
        if found is None:
            at = bisect_right(self._bases, docnum) - 1
            found = self._ids[docnum] = self._id_columns[at][docnum - self._bases[at]]
        return found

    def run(
        self, node: Expanded | None, original: str
    ) -> tuple[Mask, dict[tuple[str, str], Postings]]:
        """All matching live documents, and the postings read (for scoring)."""
        cache: dict[tuple[str, str], Postings] = {}
        matched = self.match(node, cache) if node is not None else None
        if matched is None:
            raise nothing_to_search(original)
        return matched & self.live, cache


def _and(within: Mask | None, mask: Mask | None) -> Mask | None:
    if within is None:
        return mask
    return within if mask is None else within & mask


def _checks_order(node: Expanded) -> bool:
    """False (first) for a node that needs no word-order check, True for one that does."""
    if isinstance(node, Text | CaseNumber):
        return len(analysis.analyze(node.text)) > 1
    if isinstance(node, Variant):
        return len(node.terms) > 1
    if isinstance(node, Not):
        return _checks_order(node.item)
    if isinstance(node, And | Or):
        return any(_checks_order(item) for item in node.items)
    return False


def _mask_of(ids: np.ndarray, size: int) -> Mask:
    mask = np.zeros(size, dtype=bool)
    mask[ids] = True
    return mask


def _block(m: BlockMatcher) -> tuple[bytes, Any, Any]:
    """The current block's (id deltas, weights, values) as codec.py stored them: weights
    None when all are 1.0, one float when all are equal, else array("f") bytes."""
    m._read_data()
    return m._data  # type: ignore[no-any-return]


def _positions(values: dict[int, bytes]) -> tuple[array[int], array[int]]:
    """All positions in the given posting values, as parallel (document, position) arrays."""
    doc_parts, pos_parts = [], []
    for doc, value in values.items():
        start = 4 + schema.PHRASE_LENGTH.unpack_from(value)[0]
        doc_parts.append(_UINT(doc) * ((len(value) - start) >> 2))
        pos_parts.append(value[start:])
    docs, places = array("I"), array("I")
    docs.frombytes(b"".join(doc_parts))
    places.frombytes(b"".join(pos_parts))
    return docs, places
