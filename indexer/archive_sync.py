"""Glue between the archive (the truth) and the index derived from it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from archive import Archive, Document, NotFound, privacy
from archive.model import Page
from indexer.index import FEATURES, Index
from indexer.model import IndexDoc
from indexer.synonyms import load_synonyms


@dataclass
class SyncReport:
    added: int = 0
    removed: int = 0
    rebuilt: bool = False


def index_of(archive: Archive, features: frozenset[str] = FEATURES) -> Index:
    """The archive's index, expanding queries with the built-in synonyms and the archive's own
    file (setting `synonyms`). `features`: fewer only to measure what each one adds."""
    synonyms = load_synonyms(archive.setting_path("synonyms"))
    return Index(archive.index_dir, synonyms=synonyms, features=features)


def to_index_doc(
    document: Document,
    pages: list[Page],
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
    for page in pages:
        if key is not None:
            for span in privacy.find(page.text):
                checked = span.kind in privacy.IDENTITY_KINDS and privacy.identity_number(
                    page.text[span.start : span.end]
                )
                if checked:
                    tokens.add(privacy.token(key, checked[1]))
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
    )


def _index_docs(archive: Archive, ids: Iterable[str]) -> Iterator[IndexDoc]:
    kinds = privacy.masked_kinds(archive.settings)
    key = privacy.archive_key(archive.root)
    for doc_id in ids:
        try:
            yield to_index_doc(archive.get(doc_id), archive.pages(doc_id), kinds=kinds, key=key)
        except NotFound:  # removed by another process meanwhile; sync settles the index
            continue


def rebuild_from_archive(archive: Archive, progress: Callable[[int], None] | None = None) -> int:
    """Index every archived document into a fresh index and swap it in; returns the count.

    Documents ingested or removed while it ran (their own index update waited for this one and
    may have given up) are caught up at the end.
    """
    ids = list(archive.ids())
    index = index_of(archive)
    count = index.rebuild(_index_docs(archive, ids), total=len(ids), progress=progress)
    caught_up = sync(archive, index)
    return count + caught_up.added - caught_up.removed


def sync(archive: Archive, index: Index | None = None) -> SyncReport:
    """Add archived documents the index lacks and drop index entries the archive lacks.

    Run after every change so that a process killed between storing a document and indexing it
    leaves nothing missing for long. Without any index yet, builds the whole index.
    """
    index = index or index_of(archive)
    if not index.exists():
        return SyncReport(added=rebuild_from_archive(archive), rebuilt=True)
    archived = set(archive.ids())
    indexed = index.ids()
    missing = sorted(archived - indexed)
    extra = indexed - archived
    report = SyncReport()
    if extra:
        report.removed = index.remove(extra)
    if missing:
        report.added = index.add(_index_docs(archive, missing))
    return report


def update_index(
    archive: Archive, added: Iterable[str] = (), removed: Iterable[str] = ()
) -> SyncReport:
    """After ingest/remove/set: (re)index the given documents, then sync the rest."""
    index = index_of(archive)
    if not index.exists():
        return sync(archive, index)
    gone = set(removed)
    if gone:
        index.remove(gone)
    fresh = [doc_id for doc_id in dict.fromkeys(added) if doc_id not in gone]
    if fresh:
        index.add(_index_docs(archive, fresh))
    report = sync(archive, index)
    report.added += len(fresh)
    report.removed += len(gone)
    return report
