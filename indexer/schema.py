"""The Whoosh schema and how an IndexDoc fills it.

One Whoosh document per archived document (not per page): totals and facets then count documents
with no collapsing, and a query reads the fewest postings. The page a hit is on is found by the
highlighter in the stored page texts.

Text fields store, as each posting's weight, the document's BM25 term-frequency factor computed
at index time (an "impact"): a query then scores a document by adding idf x weight over its
terms, without reading document lengths. BM25 normally divides the length by the average length
of the whole collection; a fixed pivot per field stands in for that average here, so a document's
weights never depend on what else is in the index and incremental indexing equals a rebuild.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from pathlib import PurePath
from typing import Any

from whoosh import columns, fields, formats

from indexer import analysis, compounds, folding, synonyms
from indexer.model import IndexDoc
from indexer.query import case_digits_key, case_key

# Bump when fields or what goes into them change; an index with another version is rebuilt.
SCHEMA_VERSION = 5

# BM25 parameters; the pivots stand in for the collection's average field length (see above).
K1 = 1.2
B = 0.75
BODY_PIVOT = 600.0
TITLE_PIVOT = 10.0
# About one body word in six is a compound and one in five has å, ä or ö: the pivots of the
# fields that hold only those (issue 6) scale down with them.
PARTS_PIVOT = 2 * BODY_PIVOT / 6
FOLDED_PIVOT = BODY_PIVOT / 5
# Page texts are stored compressed: the store is read only for the ten hits shown, and level 1
# costs little CPU while taking the stored text to about a third of its size.
_COMPRESS_LEVEL = 1

_SUFFIXES = re.compile(r"\s+(kommun|stad|region|landsting)$")


class PhrasePositions(formats.Positions):
    """Each posting's positions, plus the terms that directly follow the term in the document.

    Layout: 4-byte length n, n bytes of followers ("\x1fterm\x1fterm\x1f"), positions as
    array("I") bytes. The followers answer a two-word phrase, the commonest kind, with one
    substring search per document (in C) instead of a comparison of positions, which for two
    frequent words meant millions of positions a query. Positions remain for longer phrases.

    Whoosh's own Positions format pickles each posting's list of deltas: one pickle call per
    posting when indexing and when reading.
    """

    def encode(self, value: tuple[list[int], Iterable[str]]) -> bytes:  # type: ignore[override]
        positions, followers = value
        joined = f"{SEP}{SEP.join(followers)}{SEP}".encode() if followers else b""
        return PHRASE_LENGTH.pack(len(joined)) + joined + array("I", positions).tobytes()

    def decode_positions(self, valuestring: bytes) -> array[int]:  # type: ignore[override]
        positions = array("I")
        positions.frombytes(valuestring[4 + PHRASE_LENGTH.unpack_from(valuestring)[0] :])
        return positions

    def decode_followers(self, valuestring: bytes) -> list[str]:
        end = 4 + PHRASE_LENGTH.unpack_from(valuestring)[0]
        return [t for t in valuestring[4:end].decode().split(SEP) if t]

    def decode_frequency(self, valuestring: bytes) -> int:  # type: ignore[override]
        return len(self.decode_positions(valuestring))

    def decode_weight(self, valuestring: bytes) -> float:  # type: ignore[override]
        return float(self.decode_frequency(valuestring))

    def combine(self, vs: list[bytes]) -> bytes:  # type: ignore[override]
        positions: set[int] = set()
        followers: dict[str, None] = {}
        for v in vs:
            positions.update(self.decode_positions(v))
            followers.update(dict.fromkeys(self.decode_followers(v)))
        return self.encode((sorted(positions), list(followers)))


class Impacts(formats.Existence):
    """No value per posting: all a query needs is the posting's weight, the impact."""


SEP = "\x1f"  # cannot occur in a term: terms are word characters and dots
PHRASE_LENGTH = struct.Struct("<I")


def impact(tf: int, length: int, pivot: float) -> float:
    """BM25's term-frequency factor of a term occurring tf times in a field of this length."""
    return tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / pivot))


class AnalysedField(fields.FieldType):
    """Text turned into terms by indexer.analysis; each posting's weight is its impact.

    The value may be a string or already analysed terms (a list), so the body's terms are
    computed once per document.
    """

    def __init__(
        self, *, positions: bool, pivot: float, terms: Callable[[str], list[str]] | None = None
    ) -> None:
        super().__init__(PhrasePositions() if positions else Impacts(), analyzer=None)
        self.pivot = pivot
        self.terms = terms or analysis.analyze

    def index(
        self, value: str | list[str], **kwargs: Any
    ) -> Iterator[tuple[bytes, int, float, bytes]]:
        terms = value if isinstance(value, list) else self.terms(value)
        if not isinstance(self.format, PhrasePositions):
            yield from self._impacts(terms, len(terms))
            return
        # Positions and followers; the weight stays unread.
        places: defaultdict[str, list[int]] = defaultdict(list)
        for i, term in enumerate(terms):
            places[term].append(i)
        followers: defaultdict[str, dict[str, None]] = defaultdict(dict)
        for term, after in zip(terms, terms[1:], strict=False):
            followers[term][after] = None
        encode = self.format.encode
        for term, where in places.items():
            yield term.encode(), len(where), 1.0, encode((where, followers.get(term, ())))

    def _impacts(self, terms: list[str], length: int) -> Iterator[tuple[bytes, int, float, bytes]]:
        for term, tf in Counter(terms).items():
            yield term.encode(), tf, impact(tf, length, self.pivot), b""


class PhrasesField(AnalysedField):
    """The synonyms data's expressions found in the body, one term each (see
    synonyms.indexed_phrases); the value is (joined terms, the body's length), so an
    expression weighs what a body word occurring as often would."""

    def __init__(self) -> None:
        super().__init__(positions=False, pivot=BODY_PIVOT)

    def index(  # type: ignore[override]
        self, value: tuple[list[str], int], **kwargs: Any
    ) -> Iterator[tuple[bytes, int, float, bytes]]:
        terms, length = value
        return self._impacts(terms, length)


def build_schema() -> fields.Schema:
    keys = fields.KEYWORD(commas=True)
    return fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        # The body also carries title and metadata words, so "uppsala försörjningsstöd" matches
        # a document from Uppsala whose text never names the town; the title only adds score.
        # Its positions are a field of their own, read only for phrases: kept in the body's
        # postings they made every word query read and unpickle them too (twice the time).
        body=AnalysedField(positions=False, pivot=BODY_PIVOT),
        body_pos=AnalysedField(positions=True, pivot=BODY_PIVOT),
        # Compound parts (`försörjning stöd` for `försörjningsstödet`, see compounds.part_terms)
        # and words with å ä ö as typed without them (issue 6).
        parts=AnalysedField(positions=False, pivot=PARTS_PIVOT, terms=compounds.part_terms),
        folded=AnalysedField(positions=False, pivot=FOLDED_PIVOT, terms=folding.folded_terms),
        # The synonyms data's expressions of several words, each as one term (issue 6).
        phrases=PhrasesField(),
        title=AnalysedField(positions=False, pivot=TITLE_PIVOT),
        board=AnalysedField(positions=False, pivot=TITLE_PIVOT),
        department=AnalysedField(positions=False, pivot=TITLE_PIVOT),
        officer=AnalysedField(positions=False, pivot=TITLE_PIVOT, terms=analysis.name_terms),
        municipality=keys,
        kind=keys,
        case=keys,
        source=keys,
        date=fields.ID(),
        # Exact values for facet counts and the date order.
        municipality_name=fields.ID(),
        kind_name=fields.ID(),
        year=fields.ID(),
        day=fields.COLUMN(columns.NumericColumn("I", default=0)),  # YYYYMMDD, for date order
        hit=fields.STORED(),
        pages=fields.STORED(),
    )


def key(value: str) -> str:
    """Lower-case, single spaces, no commas (the keyword fields split on commas)."""
    return " ".join(value.replace(",", " ").lower().split())


def municipality_keys(name: str) -> set[str]:
    """'Lekebergs kommun' is found as Lekebergs kommun, Lekebergs and Lekeberg."""
    full = key(name)
    bare = _SUFFIXES.sub("", full)
    return {full, bare, bare.removesuffix("s")} - {""}


def source_keys(source: str) -> set[str]:
    """A file is found by its name with and without the extension."""
    path = PurePath(source)
    return {key(path.name), key(path.stem)} - {""}


def to_fields(doc: IndexDoc) -> dict[str, Any]:
    """The Whoosh field values for one document."""
    meta = [
        doc.board,
        doc.department,
        *doc.officers,
        doc.municipality,
        doc.case_number,
        PurePath(doc.source).stem if doc.source else None,
    ]
    body = "\n".join(
        [doc.title or "", " ".join(m for m in meta if m)] + [text for _, text in doc.pages]
    )
    hit = {
        "title": doc.title,
        "kind": doc.kind,
        "municipality": doc.municipality,
        "board": doc.board,
        "date": doc.date,
        "year": doc.year,
        "case_number": doc.case_number,
        "source": doc.source,
    }
    words = analysis.words(body)
    terms = analysis.analyze_words(words)
    out: dict[str, Any] = {
        "id": doc.id,
        "body": terms,
        "body_pos": terms,
        "parts": compounds.parts_of(words),
        "folded": folding.folded_of(words),
        "phrases": (synonyms.phrase_terms(terms), len(terms)),
        "hit": hit,
        "pages": zlib.compress(json.dumps(doc.pages).encode(), _COMPRESS_LEVEL),
    }
    if doc.title:
        out["title"] = doc.title
    if doc.municipality:
        out["municipality"] = ",".join(sorted(municipality_keys(doc.municipality)))
        out["municipality_name"] = doc.municipality
    if doc.kind:
        out["kind"] = key(doc.kind)
        out["kind_name"] = doc.kind
    if doc.case_number:
        out["case"] = f"{case_key(doc.case_number)},{case_digits_key(doc.case_number)}"
    if doc.source:
        out["source"] = ",".join(sorted(source_keys(doc.source)))
    if doc.board:
        out["board"] = doc.board
    if doc.department:
        out["department"] = doc.department
    if doc.officers:
        out["officer"] = "\n".join(doc.officers)
    if doc.year is not None:
        out["year"] = str(doc.year)
    if doc.date:
        out["date"] = doc.date
        out["day"] = int(doc.date.replace("-", ""))
    elif doc.year is not None:
        out["day"] = doc.year * 10000
    return out


def load_pages(blob: bytes) -> list[tuple[int, str]]:
    return [(number, text) for number, text in json.loads(zlib.decompress(blob))]
