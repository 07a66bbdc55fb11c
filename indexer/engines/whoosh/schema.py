"""The Whoosh schema, built from indexer/fields.py, and how an analysed document fills it.

Text fields store, as each posting's weight, the document's BM25 term-frequency factor computed
at index time (an "impact"): a query then scores a document by adding idf x weight over its
terms, without reading document lengths. BM25 normally divides the length by the average length
of the whole collection; a fixed pivot per field stands in for that average here, so a document's
weights never depend on what else is in the index and incremental indexing equals a rebuild.

A text field with positions is two Whoosh fields: NAME (impacts, what every word query reads)
and NAME_pos (positions, read only for phrases): kept in the body's postings they made every
word query read and unpickle them too (twice the time).
"""

from __future__ import annotations

import struct
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh import columns, fields, formats

from indexer import fields as declared
from indexer.fields import Analysed

# Bump when fields or what goes into them change; an index with another version is rebuilt.
SCHEMA_VERSION = 5

# BM25 parameters; the pivots stand in for the collection's average field length (see above).
K1 = 1.2
B = 0.75


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
    """Terms analysed by indexer.fields; each posting's weight is its impact."""

    def __init__(self, *, positions: bool, pivot: float) -> None:
        super().__init__(PhrasePositions() if positions else Impacts(), analyzer=None)
        self.pivot = pivot

    def index(self, value: list[str], **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        terms = value
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


class MeasuredField(AnalysedField):
    """Terms weighed against another field's length (`Field.length_of`): the value is
    (terms, that length)."""

    def index(  # type: ignore[override]
        self, value: tuple[list[str], int], **kwargs: Any
    ) -> Iterator[tuple[bytes, int, float, bytes]]:
        terms, length = value
        return self._impacts(terms, length)


def build_schema() -> fields.Schema:
    out: dict[str, fields.FieldType] = {
        "id": fields.ID(stored=True, unique=True, sortable=True),
        "hit": fields.STORED(),
        "pages": fields.STORED(),
    }
    for field in declared.FIELDS:
        if field.kind == declared.TEXT:
            kind = MeasuredField if field.length_of else AnalysedField
            out[field.name] = kind(positions=False, pivot=field.pivot)
            if field.positions:
                out[f"{field.name}_pos"] = AnalysedField(positions=True, pivot=field.pivot)
        elif field.kind == declared.KEYWORDS:
            out[field.name] = fields.KEYWORD(commas=True)
        elif field.kind == declared.VALUE:
            out[field.name] = fields.ID()
        elif field.kind == declared.DAY:
            out[field.name] = fields.COLUMN(columns.NumericColumn("I", default=0))
        else:
            raise ValueError(f"no Whoosh field for kind {field.kind!r} ({field.name})")
    return fields.Schema(**out)


def to_fields(doc: Analysed) -> dict[str, Any]:
    """The Whoosh field values for one analysed document."""
    out: dict[str, Any] = {"id": doc.id, "hit": doc.hit, "pages": doc.pages}
    for name, value in doc.values.items():
        field = declared.BY_NAME[name]
        if field.kind == declared.KEYWORDS:
            out[name] = ",".join(value)
        elif field.length_of:
            out[name] = (value, len(doc.values.get(field.length_of, ())))
        else:
            out[name] = value
        if field.positions:
            out[f"{name}_pos"] = value
    return out
