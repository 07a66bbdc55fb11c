"""The tantivy engine (PyPI `tantivy`, the official bindings), fed with diarium's own analysis.

tantivy never analyses anything here: every text field holds the terms indexer/fields.py made
(Swedish stems, compound parts, folded forms, the synonyms' indexed phrases) joined by spaces
and split again by tantivy's whitespace tokenizer, so a term and its position are what the
Whoosh engine indexes too, and both engines find the same documents for the same query. The
query tree (indexer/expand.py) is translated clause by clause into tantivy's query objects;
matching is one structure scored as a constant, and the ranking is added beside it as
optional clauses with the weights expand.score_terms gives (BM25 by tantivy, over tantivy's
collection statistics where the Whoosh engine uses fixed pivots). Snippets stay diarium's own.

Version pin: tantivy >=0.27,<0.28 (pyproject.toml): the query builders and aggregation result
shapes used here changed between releases.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import tantivy

from indexer import analysis, synonyms
from indexer import fields as declared
from indexer.engines import Matched, Stored, nothing_to_search, raised_at
from indexer.expand import BODY, Expanded, Variant, score_terms
from indexer.facets import FACETS, chosen
from indexer.query import (
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

SCHEMA_VERSION = 2  # 2: page texts stored as JSON, compressed by tantivy's store
# tantivy's own indexing threads and their memory: two cores on the machines this runs on.
BUILD_THREADS = 2
BUILD_HEAP = 400_000_000
WRITE_HEAP = 50_000_000
# An indexed expression is one term of the phrases field; tantivy's tokenizer splits on spaces.
_PHRASE_SPACE = "_"
_ORDER_ID_BITS = 36  # the date order's tie-break: the first 36 bits of the id
_FACET_SIZE = 100_000  # distinct values per facet, more than any archive has
_KEPT_DOCS = 256  # stored documents a reader keeps (a page of hits and their ties)
_TIE_FETCH = 4  # hits fetched at first for each one wanted (see _top_by_score)


def _id_key(doc_id: str) -> int:
    """An id as a number in the order of the ids as text (archive ids are 16 hex digits)."""
    if len(doc_id) == 16:
        try:
            return int(doc_id, 16)
        except ValueError:
            pass
    return int.from_bytes(hashlib.sha256(doc_id.encode()).digest()[:8], "big")


def _order(day: int, doc_id: str) -> int:
    """Newest first, equal days in id order, as one number (tantivy sorts by one field)."""
    tie = (1 << _ORDER_ID_BITS) - 1 - (_id_key(doc_id) >> (64 - _ORDER_ID_BITS))
    return (day << _ORDER_ID_BITS) | tie


def _term(field: str, term: str) -> str:
    return term.replace(" ", _PHRASE_SPACE) if field == "phrases" else term


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_unsigned_field("order", fast=True)
    sb.add_bytes_field("hit", stored=True)
    sb.add_bytes_field("pages", stored=True)
    for field in declared.FIELDS:
        if field.kind == declared.TEXT:
            option = "position" if field.positions else "freq"
            sb.add_text_field(field.name, tokenizer_name="whitespace", index_option=option)
        elif field.kind == declared.KEYWORDS:
            sb.add_text_field(field.name, tokenizer_name="raw", index_option="basic")
        elif field.kind == declared.VALUE:
            sb.add_text_field(field.name, tokenizer_name="raw", index_option="basic", fast=True)
        elif field.kind == declared.DAY:
            sb.add_unsigned_field(field.name, indexed=True, fast=True)
        else:
            raise ValueError(f"no tantivy field for kind {field.kind!r} ({field.name})")
    return sb.build()


def values_of(doc: declared.Analysed) -> dict[str, Any]:
    """A document's field values as tantivy takes them (plain strings and numbers: made in a
    rebuild's worker processes, see indexer/parallel.py, and cheap to send back)."""
    values: dict[str, Any] = {
        "id": doc.id,
        "order": _order(doc.values.get("day", 0), doc.id),
        "hit": json.dumps(doc.hit, ensure_ascii=False).encode(),
        "pages": doc.pages,
    }
    for name, value in doc.values.items():
        kind = declared.BY_NAME[name].kind
        if kind == declared.TEXT:
            if value:
                terms = [_term(name, t) for t in value] if name == "phrases" else value
                values[name] = " ".join(terms)
        else:
            values[name] = value
    return values


def to_document(doc: declared.Analysed, schema: tantivy.Schema) -> tantivy.Document:
    return tantivy.Document.from_dict(values_of(doc), schema)


class TantivyEngine:
    name = "tantivy"
    # build() takes values_of() of each document (worked out on every core; see parallel.py)
    prepare = staticmethod(values_of)

    def __init__(self) -> None:
        self.schema = build_schema()
        self._ix: tantivy.Index | None = None
        self._folder: Path | None = None

    def versions(self) -> dict[str, int]:
        return {"schema": SCHEMA_VERSION}

    def is_damage(self, exc: BaseException) -> bool:
        """tantivy reports files it cannot read as ValueError (or OSError), or panics (pyo3's
        PanicException), raised at this module's call into it; anything else is a bug."""
        if not (isinstance(exc, ValueError | OSError) or type(exc).__name__ == "PanicException"):
            return False
        return raised_at(exc).startswith(str(Path(__file__).parent))

    def close(self) -> None:
        self._ix = self._folder = None

    def _index(self, folder: Path) -> tantivy.Index:
        if self._ix is None or self._folder != folder:
            self._ix, self._folder = tantivy.Index.open(str(folder)), folder
        return self._ix

    def open(self, folder: Path) -> TantivyReader:
        ix = self._index(folder)
        ix.reload()
        return TantivyReader(ix, folder, self.schema)

    def write(
        self, folder: Path, docs: Iterable[declared.Analysed], delete: Iterable[str]
    ) -> tuple[int, int]:
        ix = self._index(folder)
        ix.reload()
        searcher = ix.searcher()
        writer = ix.writer(heap_size=WRITE_HEAP, num_threads=1)
        try:
            removed = 0
            gone = set(delete)
            for doc_id in gone:  # doc_freq would count deleted documents too
                live = tantivy.Query.term_query(self.schema, "id", doc_id)
                removed += bool(searcher.search(live, 1, count=True).count)
                writer.delete_documents_by_term("id", doc_id)
            added = 0
            for doc in docs:
                if doc.id not in gone:
                    writer.delete_documents_by_term("id", doc.id)
                writer.add_document(to_document(doc, self.schema))
                added += 1
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            writer.rollback()
            raise
        return added, removed

    def build(
        self,
        folder: Path,
        docs: Iterable[dict[str, Any]],
        *,
        total: int | None,
        progress: Callable[[int], None] | None,
    ) -> int:
        ix = tantivy.Index(self.schema, path=str(folder), reuse=False)
        writer = ix.writer(heap_size=BUILD_HEAP, num_threads=BUILD_THREADS)
        from_dict, schema = tantivy.Document.from_dict, self.schema
        count = 0
        try:
            for values in docs:
                writer.add_document(from_dict(values, schema))
                count += 1
                if progress:
                    progress(1)
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            writer.rollback()
            raise
        return count


class TantivyReader:
    """One searcher of a tantivy index (a snapshot at one commit)."""

    def __init__(self, ix: tantivy.Index, folder: Path, schema: tantivy.Schema) -> None:
        self.ix = ix
        self.schema = schema
        self.searcher = ix.searcher()
        self._meta = folder / "meta.json"
        self._stamp = self._meta_stamp()
        self._terms: dict[str, list[str]] = {}  # of the fields filters list the values of
        self._docs: dict[tuple[int, int], tantivy.Document] = {}

    def _meta_stamp(self) -> tuple[int, int]:
        st = self._meta.stat()
        return st.st_mtime_ns, st.st_size

    def up_to_date(self) -> bool:
        try:
            return self._meta_stamp() == self._stamp
        except OSError:
            return False

    def close(self) -> None:
        self.searcher = None  # type: ignore[assignment]

    def ids(self) -> set[str]:
        n = self.searcher.num_docs
        if not n:
            return set()
        hits = self.searcher.search(tantivy.Query.all_query(), n, count=False).hits
        return {self.searcher.doc(address).get_first("id") for _, address in hits}

    # -- matching ---------------------------------------------------------------------------

    def _q_term(self, field: str, term: str) -> tantivy.Query:
        return tantivy.Query.term_query(self.schema, field, _term(field, term))

    def _q_text(self, terms: list[str]) -> tantivy.Query | None:
        if not terms:
            return None
        if synonyms.is_indexed_phrase(terms):
            return self._q_term("phrases", PHRASE_JOIN.join(terms))
        if len(terms) == 1:
            return self._q_term(BODY, terms[0])
        return tantivy.Query.phrase_query(self.schema, BODY, list(terms))

    def _all(self, occur: tantivy.Occur, queries: list[tantivy.Query]) -> tantivy.Query:
        if len(queries) == 1 and occur != tantivy.Occur.MustNot:
            return queries[0]
        return tantivy.Query.boolean_query([(occur, q) for q in queries])

    def _none(self) -> tantivy.Query:
        return tantivy.Query.empty_query()

    def structure(self, node: Expanded) -> tantivy.Query | None:
        """The query matching the node's documents (None: nothing searchable in it)."""
        if isinstance(node, Text):
            return self._q_text(analysis.analyze(node.text))
        if isinstance(node, Variant):
            if node.field == BODY:
                return self._q_text(list(node.terms))
            return self._q_term(node.field, node.terms[0])
        if isinstance(node, CaseNumber):
            words = self._q_text(analysis.analyze(node.text))
            whole = self._q_term("case", case_key(node.text))
            return whole if words is None else self._all(tantivy.Occur.Should, [words, whole])
        if isinstance(node, FieldMatch):
            return self._field(node)
        if isinstance(node, Range):
            return self._range(node)
        if isinstance(node, Not):
            inner = self.structure(node.item)
            if inner is None:
                return None
            return tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, tantivy.Query.all_query()), (tantivy.Occur.MustNot, inner)]
            )
        if isinstance(node, Or):
            found = [q for q in map(self.structure, node.items) if q is not None]
            return self._all(tantivy.Occur.Should, found) if found else None
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        for item in node.items:
            if isinstance(item, Not):  # a NOT inside AND excludes directly
                inner = self.structure(item.item)
                if inner is not None:
                    clauses.append((tantivy.Occur.MustNot, inner))
                continue
            got = self.structure(item)
            if got is not None:
                clauses.append((tantivy.Occur.Must, got))
        if not clauses:
            return None
        if all(occur == tantivy.Occur.MustNot for occur, _ in clauses):
            clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        if len(clauses) == 1:
            return clauses[0][1]
        return tantivy.Query.boolean_query(clauses)

    def _field(self, node: FieldMatch) -> tantivy.Query:
        value, field = node.value, node.field
        if field in ("municipality", "kind"):
            return self._q_term(field, declared.key(value))
        if field == "case":
            return tantivy.Query.term_set_query(
                self.schema, "case", [case_key(value), case_digits_key(value)]
            )
        if field == "source":
            return self._q_term("source", declared.key(value.replace("\\", "/").rsplit("/", 1)[-1]))
        if declared.BY_NAME[field].kind == declared.KEYWORDS:  # exact keys (privacy fields)
            return self._q_term(field, value)
        if declared.BY_NAME[field].kind == declared.VALUE:  # a facet's values (the board filter)
            values = chosen(value, self._terms_of(field))
            if not values:
                return self._none()
            return tantivy.Query.term_set_query(self.schema, field, values)
        terms = analysis.name_terms(value) if field == "officer" else analysis.analyze(value)
        if not terms:
            return self._none()
        return self._all(tantivy.Occur.Must, [self._q_term(field, t) for t in dict.fromkeys(terms)])

    def _terms_of(self, field: str) -> list[str]:
        """Every term of a field of few values (a year, a board), read once per searcher."""
        if field not in self._terms:
            self._terms[field] = [t for t, _ in self.searcher.terms_with_prefix(field, "")]
        return self._terms[field]

    def _range(self, node: Range) -> tantivy.Query:
        if node.field == "year":
            low, high = int(node.low or 0), int(node.high or 9999)
            years = [y for y in self._terms_of("year") if y.isdigit() and low <= int(y) <= high]
            if not years:
                return self._none()
            return tantivy.Query.term_set_query(self.schema, "year", years)
        low = day_number(node.low, high=False) if node.low else 1
        high = day_number(node.high, high=True) if node.high else 99999999
        return tantivy.Query.range_query(self.schema, "day", tantivy.FieldType.Unsigned, low, high)

    def _scored(self, structure: tantivy.Query, node: Expanded | None) -> tantivy.Query:
        """The structure (scored 0) with the ranking's terms as optional clauses beside it."""
        clauses = [(tantivy.Occur.Must, tantivy.Query.const_score_query(structure, 0.0))]
        for (field, term), boost in score_terms(node).items():
            query = tantivy.Query.boost_query(self._q_term(field, term), boost)
            clauses.append((tantivy.Occur.Should, query))
        return tantivy.Query.boolean_query(clauses) if len(clauses) > 1 else structure

    def match(
        self, node: Expanded | None, original: str, *, by_score: bool = True, count: int = 10
    ) -> Matched:
        structure = self.structure(node) if node is not None else None
        if structure is None:
            raise nothing_to_search(original)
        if by_score:
            query = self._scored(structure, node)
            hits, total = self._top_by_score(query, count)
            return Matched(total, (structure, hits))
        result = self.searcher.search(
            structure, count, count=True, order_by_field="order", order=tantivy.Order.Desc
        )
        return Matched(result.count or 0, (structure, [(a, 0.0) for _, a in result.hits]))

    def _top_by_score(
        self, query: tantivy.Query, count: int
    ) -> tuple[list[tuple[Any, float]], int]:
        """The best `count`, equal scores in id order (fetched until the cut-off ends a tie)."""
        # Equal scores are common (a phrase's documents of one length and frequency): asking
        # for a few times more hits costs tantivy next to nothing, while a second search when
        # a tie crosses the cut-off costs as much as the first.
        fetch = count * _TIE_FETCH + 1
        while True:
            result = self.searcher.search(query, fetch, count=True)
            hits = result.hits
            if len(hits) < fetch or hits[count - 1][0] != hits[-1][0]:
                break
            fetch *= 2
        # Ids decide only between equal scores that reach the cut-off: the other hits'
        # documents are not read.
        cut = hits[count - 1][0] if len(hits) >= count else None
        tied = {
            score
            for score, n in Counter(score for score, _ in hits).items()
            if n > 1 and (cut is None or score >= cut)
        }
        ranked = sorted(hits, key=lambda h: (-h[0], self._id(h[1]) if h[0] in tied else ""))
        return [(a, float(score)) for score, a in ranked[:count]], result.count or 0

    def _doc(self, address: Any) -> tantivy.Document:
        """A stored document, kept while this reader lives: ranking and the hit read it both."""
        key = (address.segment_ord, address.doc)
        doc = self._docs.get(key)
        if doc is None:
            if len(self._docs) >= _KEPT_DOCS:
                self._docs.clear()
            doc = self._docs[key] = self.searcher.doc(address)
        return doc

    def _id(self, address: Any) -> str:
        return str(self._doc(address).get_first("id"))

    def rank(
        self, matched: Matched, node: Expanded | None, *, by_score: bool, count: int
    ) -> list[tuple[Any, float]]:
        hits: list[tuple[Any, float]] = matched.data[1]
        return hits[:count]

    def stored(self, handle: Any) -> Stored:
        doc = self._doc(handle)
        hit = json.loads(doc.get_first("hit"))
        return Stored(doc.get_first("id"), hit, declared.load_pages(doc.get_first("pages")))

    def facet_counts(self, matched: Matched) -> dict[str, dict[str, int]]:
        aggregation = {
            name: {"terms": {"field": field, "size": _FACET_SIZE}} for name, field in FACETS.items()
        }
        found = self.searcher.aggregate(matched.data[0], aggregation)
        return {
            name: {b["key"]: int(b["doc_count"]) for b in found.get(name, {}).get("buckets", [])}
            for name in FACETS
        }

    def doc_frequency(self, term: str) -> int:
        return int(self.searcher.doc_freq(BODY, term))

    def terms_from(self, prefix: str) -> list[str]:
        return sorted(t for t, _ in self.searcher.terms_with_prefix(BODY, prefix))

    def with_term(self, term: str, count: int) -> list[Any]:
        hits = self.searcher.search(self._q_term(BODY, term), count, count=False).hits
        return [a for _, a in hits]
