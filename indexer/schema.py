"""How documents and parsed queries map onto Whoosh fields; the only module that knows both.

One Whoosh document per archived document (not per page): totals and facets then count
documents without any collapsing, and queries touch the fewest postings. The page a hit is on is
found by the highlighter in the stored page texts.
"""

from __future__ import annotations

import json
import re
import zlib
from pathlib import PurePath
from typing import Any

from whoosh import columns, fields
from whoosh import query as wq
from whoosh.analysis import Analyzer, LowercaseFilter, RegexTokenizer

from indexer import analysis
from indexer.errors import QueryError
from indexer.model import IndexDoc
from indexer.query import (
    And,
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

# Bump when fields or what goes into them change; see Index's version check.
SCHEMA_VERSION = 1

# A word in the title counts this much more than the same word in the body.
TITLE_BOOST = 3.0

# Page texts are stored compressed: the store is read only for the ten hits shown, and level 1
# costs little CPU while taking the index to about a third of the plain text's size.
_COMPRESS_LEVEL = 1

_SUFFIXES = re.compile(r"\s+(kommun|stad|region|landsting)$")


def name_analyzer() -> Analyzer:
    """Names of people: words lower-cased, no stop words (a surname may be "Han") and no stems."""
    return RegexTokenizer(analysis.TOKEN_PATTERN) | LowercaseFilter()


def build_schema() -> fields.Schema:
    text = analysis.swedish_analyzer()
    keys = fields.KEYWORD(commas=True, scorable=False)
    return fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        title=fields.TEXT(analyzer=text, phrase=True, field_boost=TITLE_BOOST),
        # The body also carries title and metadata words, so "uppsala försörjningsstöd" matches
        # a document from Uppsala whose text never names the town; the title field only adds
        # score on top.
        body=fields.TEXT(analyzer=text, phrase=True),
        municipality=keys,
        kind=keys,
        case=keys,
        source=keys,
        board=fields.TEXT(analyzer=text, phrase=True),
        department=fields.TEXT(analyzer=text, phrase=True),
        officer=fields.TEXT(analyzer=name_analyzer(), phrase=True),
        year=fields.NUMERIC(int, bits=32),
        date=fields.ID(sortable=True),
        municipality_name=fields.COLUMN(columns.RefBytesColumn()),
        kind_name=fields.COLUMN(columns.RefBytesColumn()),
        year_name=fields.COLUMN(columns.RefBytesColumn()),
        hit=fields.STORED(),
        pages=fields.STORED(),
    )


def key(value: str) -> str:
    """Lower-case, single spaces, no commas (the keyword fields split on commas)."""
    return " ".join(value.replace(",", " ").lower().split())


def municipality_keys(name: str) -> set[str]:
    """ "Lekebergs kommun" is found as Lekebergs kommun, Lekebergs and Lekeberg."""
    full = key(name)
    bare = _SUFFIXES.sub("", full)
    return {full, bare, bare.removesuffix("s")} - {""}


def source_keys(source: str) -> set[str]:
    name = key(PurePath(source).name)
    return {name, key(PurePath(source).stem)} - {""}


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
    out: dict[str, Any] = {
        "id": doc.id,
        "title": doc.title or "",
        "body": body,
        "hit": hit,
        "pages": zlib.compress(json.dumps(doc.pages).encode(), _COMPRESS_LEVEL),
    }
    if doc.municipality:
        out["municipality"] = ",".join(sorted(municipality_keys(doc.municipality)))
        out["municipality_name"] = doc.municipality.encode()
    if doc.kind:
        out["kind"] = key(doc.kind)
        out["kind_name"] = doc.kind.encode()
    if doc.case_number:
        out["case"] = f"{case_key(doc.case_number)},{case_digits_key(doc.case_number)}"
    if doc.source:
        out["source"] = ",".join(sorted(source_keys(doc.source)))
    for name in ("board", "department"):
        if getattr(doc, name):
            out[name] = getattr(doc, name)
    if doc.officers:
        out["officer"] = "\n".join(doc.officers)
    if doc.year is not None:
        out["year"] = doc.year
        out["year_name"] = str(doc.year).encode()
    if doc.date:
        out["date"] = doc.date
    return out


def load_pages(blob: bytes) -> list[tuple[int, str]]:
    return [(number, text) for number, text in json.loads(zlib.decompress(blob))]


def compile_query(node: Node | None, original: str) -> wq.Query:
    """The Whoosh query for a parsed query: matching on body, scoring boosted by the title."""
    required = _compile(node) if node is not None else None
    if required is None:
        raise QueryError(
            f"nothing to search for in query {original!r}: its words are all too common "
            "(stop words)"
            if original.strip()
            else "empty query: give words to search for or a filter"
        )
    boost = [q for q in (_text(leaf, "title") for leaf in text_leaves(node)) if q is not None]
    if not boost:
        return required
    return wq.AndMaybe(required, wq.Or(boost) if len(boost) > 1 else boost[0])


def has_text(node: Node | None) -> bool:
    """Whether anything in the query scores (otherwise relevance has nothing to rank by)."""
    return any(analysis.terms(leaf.text) for leaf in text_leaves(node))


def _text(node: Text | CaseNumber, field: str) -> wq.Query | None:
    terms = analysis.terms(node.text)
    if not terms:
        return None
    words = terms[0] if len(terms) == 1 else terms
    q = wq.Term(field, words) if isinstance(words, str) else wq.Phrase(field, words)
    if isinstance(node, CaseNumber) and field == "body":
        return wq.Or([wq.Term("case", case_key(node.text)), q])
    return q


def _compile(node: Node) -> wq.Query | None:
    if isinstance(node, Text | CaseNumber):
        return _text(node, "body")
    if isinstance(node, FieldMatch | Range):
        return wq.ConstantScoreQuery(_field(node), 0.0)
    if isinstance(node, Or):
        parts = [q for q in map(_compile, node.items) if q is not None]
        return wq.Or(parts) if len(parts) > 1 else (parts[0] if parts else None)
    items = node.items if isinstance(node, And) else (node,)
    pos = [q for q in (_compile(i) for i in items if not isinstance(i, Not)) if q is not None]
    neg = [q for q in (_compile(i.item) for i in items if isinstance(i, Not)) if q is not None]
    if not pos and not neg:
        return None
    required = (wq.And(pos) if len(pos) > 1 else pos[0]) if pos else wq.Every()
    if not neg:
        return required
    return wq.AndNot(required, wq.Or(neg) if len(neg) > 1 else neg[0])


def _field(node: FieldMatch | Range) -> wq.Query:
    if isinstance(node, Range):
        if node.field == "year":
            low = int(node.low) if node.low else None
            high = int(node.high) if node.high else None
            return wq.NumericRange("year", low, high)
        # ISO dates sort as text; a month or year prefix covers everything that starts with it.
        return wq.TermRange("date", node.low, node.high + "~" if node.high else None)
    value = node.value
    if node.field == "municipality":
        return wq.Term("municipality", key(value))
    if node.field == "kind":
        return wq.Term("kind", key(value))
    if node.field == "case":
        return wq.Or([wq.Term("case", case_key(value)), wq.Term("case", case_digits_key(value))])
    if node.field == "source":
        return wq.Term("source", key(PurePath(value).name))
    if node.field == "officer":
        terms = [t.text for t in name_analyzer()(value)]
    else:  # board, department, title: stemmed words, in order
        terms = analysis.terms(value)
    if not terms:
        return wq.NullQuery
    return wq.Term(node.field, terms[0]) if len(terms) == 1 else wq.Phrase(node.field, terms)
