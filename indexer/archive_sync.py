"""Glue between the archive (the truth) and the index derived from it: the index follows the
archive's journal (archive/journal.py), so whoever changes the archive, the next search sees it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from archive import Archive, Document, NotFound, privacy
from archive import messages as msg
from archive.check import Problem
from archive.model import Page
from archive.store import DamagedDocument
from indexer.engines import ENGINES, default_engine
from indexer.errors import SearchIndexError
from indexer.index import FEATURES, Index
from indexer.model import IndexDoc, SearchResult
from indexer.synonyms import load_synonyms

ENGINE_SETTING = "search_engine"


class ArchiveFeed:
    """The archive as an index's feed: its documents and its journal of changes."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.journal = archive.journal

    def end(self) -> int:
        return self.journal.end()

    def changes(self, start: int) -> tuple[list[str], int] | None:
        if start > self.journal.end():
            return None
        return self.journal.changed_ids(start)

    def ids(self) -> list[str]:
        return list(self.archive.ids())

    def loader(self) -> ArchiveLoader:
        return ArchiveLoader(
            self.archive,
            privacy.masked_kinds(self.archive.settings),
            privacy.archive_key(self.archive.root),
        )

    def docs(self, ids: Iterable[str]) -> Iterator[IndexDoc]:
        return filter(None, map(self.loader(), ids))


@dataclass(frozen=True)
class ArchiveLoader:
    """One stored document as the index sees it, read in this process or in a rebuild's
    worker (indexer/parallel.py), so that reading, masking and analysing all run on every
    core: picklable, it carries the archive's folder and its masking settings, read once."""

    archive: Archive
    kinds: frozenset[str]
    key: bytes

    def __call__(self, doc_id: str) -> IndexDoc | None:
        try:
            return index_doc(self.archive, doc_id, kinds=self.kinds, key=self.key)
        except (NotFound, FileNotFoundError):  # not stored (any more): the index drops it
            return None
        except DamagedDocument:  # left out; `reindex` and `check` name it
            return None


def engine_setting(archive: Archive) -> str:
    """The archive's `search_engine` (settings.yaml): whoosh (the default) or tantivy."""
    name = str(archive.settings.get(ENGINE_SETTING) or default_engine()).strip().lower()
    if name not in ENGINES:
        raise SearchIndexError(
            f"{archive.root / 'settings.yaml'}: {ENGINE_SETTING}: {name!r} är ingen sökmotor "
            f"som diarium har (välj {' eller '.join(ENGINES)})"
        )
    return name


def index_of(archive: Archive, features: frozenset[str] = FEATURES) -> Index:
    """The archive's index, following its journal, expanding queries with the built-in
    synonyms and the archive's own file (setting `synonyms`). `features`: fewer only to
    measure what each one adds."""
    synonyms = load_synonyms(archive.setting_path("synonyms"))
    return Index(
        archive.index_dir,
        synonyms=synonyms,
        features=features,
        engine=engine_setting(archive),
        feed=ArchiveFeed(archive),
    )


def index_doc(
    archive: Archive,
    doc_id: str,
    *,
    kinds: frozenset[str] | None = None,
    key: bytes | None = None,
) -> IndexDoc:
    """A stored document as the index sees it: record, pages and page furniture, masked."""
    return to_index_doc(
        archive.get(doc_id),
        archive.pages(doc_id),
        archive.furniture(doc_id),
        kinds=privacy.masked_kinds(archive.settings) if kinds is None else kinds,
        key=privacy.archive_key(archive.root) if key is None else key,
    )


def to_index_doc(
    document: Document,
    pages: list[Page],
    furniture: str = "",
    *,
    kinds: frozenset[str] = privacy.IDENTITY_KINDS,
    key: bytes | None = None,
) -> IndexDoc:
    """The document as the index may hold it: never a personnummer as text (nor the other
    `kinds` the archive masks), never a secret-marked page's text among what anyone searches.

    Each identity number becomes a keyed token (`key`, the archive's; see
    archive.privacy.tokens) that `search --personal` looks up; secret pages go to a field
    of their own, searched only for someone cleared; a whole-document mark makes it `secret`.
    """
    secret = privacy.secret_pages(document.secrecy, len(pages))
    tokens: set[str] = set()
    shown: list[tuple[int, str]] = []
    hidden: list[tuple[int, str]] = []
    for page in [*pages, Page(0, furniture)]:
        if key is not None:
            for span in privacy.find(page.text):
                checked = span.kind in privacy.IDENTITY_KINDS and privacy.identity_number(
                    page.text[span.start : span.end]
                )
                if checked:
                    tokens.add(privacy.token(key, checked[1]))
        if page.number == 0:  # the furniture: searched, never a snippet's page
            continue
        masked = (page.number, privacy.mask_page(page, document.personal_data, kinds))
        (hidden if page.number in secret else shown).append(masked)
    return IndexDoc(
        id=document.id,
        title=privacy.mask_string(document.title, kinds) if document.title else None,
        kind=document.kind,
        municipality=document.municipality,
        board=document.board,
        department=document.department,
        officers=list(document.officers),
        case_number=document.case_number,
        date=document.date,
        year=document.year,
        source=privacy.mask_string(document.source, kinds),
        pages=shown,
        personal=sorted(tokens),
        secret_pages=hidden,
        secret=privacy.whole_document(document.secrecy) is not None,
        furniture=privacy.mask_string(furniture, kinds),
    )


def mark_ocr(
    archive: Archive,
    result: SearchResult,
    records: Mapping[str, Mapping[str, Any] | None] | None = None,
) -> SearchResult:
    """Mark each hit whose snippet stands on a page read by OCR with that page's confidence.

    Read from the archive's record at search time rather than stored in the index: `diarium
    ocr` changes a record, and the mark must follow without the index knowing OCR. `records`:
    the hits' records as stored, where the caller has read them already."""
    for hit in result.hits:
        if records is not None:
            record = records.get(hit.id)
            # most records have no OCR: no Document made for them
            document = Document.from_dict(dict(record)) if record and record.get("ocr") else None
        else:
            try:
                document = archive.get(hit.id)
            except NotFound:
                document = None
        page = document.ocr_page(hit.page) if document is not None else None
        if page is not None:
            hit.ocr = {"confidence": page.get("confidence"), "uncertain": page.get("uncertain")}
    return result


def rebuild_from_archive(archive: Archive, progress: Callable[[int], None] | None = None) -> int:
    """Index every archived document into a fresh index (of the engine settings.yaml names)
    and swap it in; returns the count. Documents stored or removed meanwhile are caught up
    from the journal before the swap."""
    index = index_of(archive)
    try:
        return index.rebuild_from_feed(progress=progress)
    finally:
        index.close()


def check_index(archive: Archive) -> list[Problem]:
    """What the index says that the archive does not, once it has caught up with the journal:
    documents it lacks or still holds. No index yet is no problem (the first search builds it)."""
    index = index_of(archive)
    try:
        if not index.exists():
            return []
        try:
            indexed = index.ids()
        except SearchIndexError as exc:
            return [Problem("index", str(exc))]
        except OSError as exc:  # cannot catch up: a full or read-only disk
            return [Problem("index", msg.CHECK_INDEX_UNWRITABLE.format(reason=msg.os_error(exc)))]
    finally:
        index.close()
    readable = {d.id for d in archive.documents()}
    problems = [Problem(doc_id, msg.CHECK_NOT_INDEXED) for doc_id in sorted(readable - indexed)]
    problems += [
        Problem(doc_id, msg.CHECK_NOT_ARCHIVED) for doc_id in sorted(indexed - set(archive.ids()))
    ]
    return problems


def personal_token(archive: Archive, number: str) -> str:
    """What `Index.search(personal=...)` takes for an identity number typed in any form. The
    key is made here if the archive has none yet: the index may be built by this very search."""
    return privacy.token_of(privacy.archive_key(archive.root), number)
