"""A case (ärende): every document with the same case number, across kinds, in date order.

A case is followed through its documents: the tjänsteskrivelse proposes, the protokollsutdrag
records the decision, a yttrande or a svar på revisionsrapport answers. Municipalities write the
same number in many shapes (`KS 2023-730`, `KS-2023-00730`, `2021.004 KUN`), so numbers are
compared by `indexer.query.case_key`, the normalised form search uses for `case:`.

The index only nominates candidates (it finds the case field among 100,000 documents at once);
every document shown is read from the archive, the truth, and its own case number is checked
again, so an index entry that lags behind a change never puts a wrong document in a case.

    from indexer.cases import find_case, related_documents
    case = find_case(Archive(root), "KS 2023-730", related=5, visible=can_see)
    case.documents        # [CaseDocument(document, decision={"heading", "text"})], oldest first
    case.related          # [indexer.Hit], more like this, the case's own documents left out
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from archive import Archive, DiariumError, Document, NotFound
from archive.model import KINDS
from indexer import analysis
from indexer.archive_sync import index_of
from indexer.index import Index
from indexer.model import Hit
from indexer.query import CaseNumber, case_digits_key, case_key, parse

# Candidates the index is asked for at a time; a case seldom has more than a handful.
_PAGE = 200
# How many of a document's most frequent words are weighed for "more like this", and how many
# of the most distinctive of them make the query.
_CANDIDATE_TERMS = 20
_QUERY_TERMS = 6
_TITLE_WEIGHT = 3
_JOINED = re.compile(r"\s+och\s+", re.IGNORECASE)
_LETTERS = re.compile(r"[^\W\d_]+")

Visible = Callable[[Document], bool]


@dataclass
class CaseDocument:
    document: Document
    decision: dict[str, str] | None  # see decision()

    def to_dict(self) -> dict[str, Any]:
        doc = self.document
        return {
            "id": doc.id,
            "kind": doc.kind,
            "date": doc.date,
            "title": doc.title,
            "case_number": doc.case_number,
            "municipality": doc.municipality,
            "board": doc.board,
            "source": doc.source,
            "pages": doc.pages,
            "decision": self.decision,
        }


@dataclass
class Case:
    number: str  # as asked
    key: str  # what it was compared as
    documents: list[CaseDocument] = field(default_factory=list)
    related: list[Hit] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The `diarium case --json` contract."""
        return {
            "number": self.number,
            "key": self.key,
            "documents": [d.to_dict() for d in self.documents],
            "related": [hit.to_dict() for hit in self.related],
        }


def same_case(a: str, b: str) -> bool:
    """Whether two written case numbers name the same case.

    The normalised forms must be equal; a number written without its series (`2023/730`)
    matches one with it (`KS 2023-730`) on the digits alone, as `case:` does in search, but
    two different series (`KS 2023-730`, `SN 2023-730`) never match. A matter filed under two
    numbers ("KS 2008/0229-00 och 2008/0230-04") belongs to the case of either.
    """
    return any(_same_number(x, y) for x in _numbers(a) for y in _numbers(b))


def _numbers(written: str) -> list[str]:
    return [part for part in _JOINED.split(written) if any(c.isdigit() for c in part)]


def _same_number(a: str, b: str) -> bool:
    key_a, key_b = case_key(a), case_key(b)
    if key_a == key_b:
        return True
    digits_a, digits_b = case_digits_key(a), case_digits_key(b)
    bare = key_a == digits_a or key_b == digits_b
    return bare and bool(digits_a) and digits_a == digits_b


def decision(document: Document) -> dict[str, str] | None:
    """The document's part stating the decision (Beslut, Kommunstyrelsens beslut), else the one
    proposing it (Förslag till beslut), as {"heading", "text"}; None when it has neither.

    A protokollsutdrag repeats the proposal above the decision; the decision is what counts.
    """
    proposal = None
    for section in document.sections:
        heading = " ".join(section.get("heading", "").split())
        text = section.get("text", "").strip()
        folded = heading.casefold().rstrip(":")
        if not text or not folded.endswith("beslut"):
            continue
        if "förslag" not in folded:
            return {"heading": heading, "text": text}
        proposal = proposal or {"heading": heading, "text": text}
    return proposal


def find_case(
    archive: Archive,
    number: str,
    *,
    related: int = 5,
    visible: Visible | None = None,
    index: Index | None = None,
) -> Case:
    """Every document whose case number is `number`, oldest first, and up to `related` others
    like them (`related_documents`).

    `visible(document)` decides what the caller may see: a document it refuses is left out of
    the case and of the related documents, as if it did not exist. `index` defaults to the
    archive's own (`index_of(archive)`); pass one to keep it open across calls.
    Raises DiariumError when `number` has no digits (it cannot be a case number) and
    IndexUnavailable when the archive has no usable index (`diarium reindex`).
    """
    typed = number.replace('"', " ").strip()
    if not any(c.isdigit() for c in typed):
        raise DiariumError(f"{number!r} är inget diarienummer (det saknar siffror)")
    case = Case(number=number, key=case_key(typed))
    own_index = index is None
    index = index or index_of(archive)
    try:
        # With `visible` the caller decides what may be seen, secret documents too (cleared);
        # without, secrecy-marked documents are left out as in every search.
        found = _candidates(archive, index, typed, cleared=visible is not None)
        documents = [d for d in found if visible is None or visible(d)]
        documents.sort(key=_case_order)
        case.documents = [CaseDocument(d, decision(d)) for d in documents]
        if related > 0 and documents:
            case.related = related_documents(
                archive, [d.id for d in documents], limit=related, visible=visible, index=index
            )
    finally:
        if own_index:
            index.close()
    return case


def _candidates(archive: Archive, index: Index, typed: str, *, cleared: bool) -> list[Document]:
    """Documents the index nominates for this case, read from the archive and checked again.

    Nominated: those whose case field is the number, and those whose text has it written out
    (a document filed under two numbers is in the index under the pair, not under either).
    """
    asked = []
    for number in _numbers(typed):
        asked.append(f'case:"{number}"')
        # As written, and without its series, as the second of a pair is written.
        for written in (number, _LETTERS.sub(" ", number).strip()):
            if isinstance(parse(written), CaseNumber):
                asked.append(written)
    query = " OR ".join(dict.fromkeys(asked))
    found: list[Document] = []
    page = 1
    while True:
        result = index.search(query, sort="date", limit=_PAGE, page=page, cleared=cleared)
        for hit in result.hits:
            try:
                document = archive.get(hit.id)
            except NotFound:  # removed since it was indexed
                continue
            if document.case_number and same_case(document.case_number, typed):
                found.append(document)
        if page * _PAGE >= result.total:
            return found
        page += 1


def _case_order(document: Document) -> tuple[Any, ...]:
    """Date order, undated last; on one date in the order a case moves through its kinds."""
    kind = KINDS.index(document.kind) if document.kind in KINDS else len(KINDS)
    return (document.date is None, document.date or "", kind, document.title or "", document.id)


def related_documents(
    archive: Archive,
    doc_ids: Iterable[str],
    *,
    limit: int = 5,
    visible: Visible | None = None,
    index: Index | None = None,
) -> list[Hit]:
    """Documents most like the given ones ("more like this"), the given ones left out.

    The query is the given documents' most distinctive words: frequent in them (title words
    count thrice), rare in the archive (tf × log(N / df), df as the index counts the word),
    any of which may match, so the best hits share most of them. Runs through the same
    `Index.search` as a typed query, with its Swedish analysis and ranking.
    """
    own = list(dict.fromkeys(doc_ids))
    if limit < 1 or not own:
        return []
    own_index = index is None
    index = index or index_of(archive)
    try:
        query = _distinctive_query(archive, index, own)
        if not query:
            return []
        hits: list[Hit] = []
        excluded = set(own)
        page, per_page = 1, limit + len(own)
        while len(hits) < limit:
            result = index.search(query, limit=per_page, page=page, cleared=visible is not None)
            for hit in result.hits:
                if hit.id in excluded:
                    continue
                excluded.add(hit.id)
                if visible is not None and not _visible(archive, hit.id, visible):
                    continue
                hits.append(hit)
                if len(hits) == limit:
                    break
            if page * per_page >= result.total:
                break
            page += 1
        return hits
    finally:
        if own_index:
            index.close()


def _visible(archive: Archive, doc_id: str, visible: Visible) -> bool:
    try:
        return visible(archive.get(doc_id))
    except NotFound:
        return False


def _distinctive_query(archive: Archive, index: Index, doc_ids: list[str]) -> str:
    """`word OR word ...` of the documents' most distinctive words; "" when they have none."""
    counts: Counter[str] = Counter()
    in_own: Counter[str] = Counter()  # how many of the given documents have the word
    shown: dict[str, Counter[str]] = {}
    for doc_id in doc_ids:
        try:
            document = archive.get(doc_id)
            text = archive.text(doc_id)
        except NotFound:
            continue
        stems: set[str] = set()
        for source, weight in ((document.title or "", _TITLE_WEIGHT), (text, 1)):
            words = [w for w in analysis.words(source) if _content_word(w)]
            for word, stem in zip(words, analysis.stem_words(words), strict=True):
                counts[stem] += weight
                shown.setdefault(stem, Counter())[word] += 1
                stems.add(stem)
        in_own.update(stems)
    if not counts:
        return ""
    total = _document_count(index)
    scored = []
    for stem, tf in counts.most_common(_CANDIDATE_TERMS):
        word = shown[stem].most_common(1)[0][0]
        df = index.search(word, limit=1).total
        # A word only these documents have finds nothing else; one every document has tells
        # nothing (its weight is 0).
        if in_own[stem] < df < total:
            scored.append((tf * math.log(total / df), word))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return " OR ".join(word for _, word in scored[:_QUERY_TERMS])


def _document_count(index: Index) -> int:
    """How many documents the index holds: every document has one of the declared kinds, and
    counting them is a query (listing every id is not, at 100,000 documents)."""
    every_kind = " OR ".join(f'kind:"{kind}"' for kind in KINDS)
    return index.search(every_kind, limit=1).total


def _content_word(word: str) -> bool:
    return (
        len(word) > 2
        and word not in analysis.stop_words()
        and not any(c.isdigit() or c == "_" for c in word)
        and len(word) <= analysis.MAX_TOKEN_CHARS
    )
