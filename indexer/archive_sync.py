"""Glue between the archive (the truth) and the index derived from it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from archive import Archive, Document, NotFound
from archive.check import Problem
from archive.model import Page
from archive.store import DamagedDocument
from indexer.errors import SearchIndexError
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


def to_index_doc(document: Document, pages: list[Page]) -> IndexDoc:
    return IndexDoc(
        id=document.id,
        title=document.title,
        kind=document.kind,
        municipality=document.municipality,
        board=document.board,
        department=document.department,
        officers=list(document.officers),
        case_number=document.case_number,
        date=document.date,
        year=document.year,
        source=document.source,
        pages=[(page.number, page.text) for page in pages],
    )


def _index_docs(archive: Archive, ids: Iterable[str]) -> Iterator[IndexDoc]:
    for doc_id in ids:
        try:
            yield to_index_doc(archive.get(doc_id), archive.pages(doc_id))
        except NotFound:  # removed by another process meanwhile; sync settles the index
            continue
        except DamagedDocument:  # left out; `reindex` and `check` name it
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


def check_index(archive: Archive) -> list[Problem]:
    """What the index says that the archive does not: documents it lacks or still holds."""
    index = index_of(archive)
    try:
        if not index.exists():
            return [Problem("index", "det finns inget sökindex; bygg det med `diarium reindex`")]
        try:
            indexed = index.ids()
        except SearchIndexError as exc:
            return [Problem("index", str(exc))]
    finally:
        index.close()
    readable = {d.id for d in archive.documents()}
    problems = [
        Problem(doc_id, "finns i arkivet men inte i sökindexet (kör `diarium reindex`)")
        for doc_id in sorted(readable - indexed)
    ]
    problems += [
        Problem(doc_id, "finns i sökindexet men inte i arkivet (kör `diarium reindex`)")
        for doc_id in sorted(indexed - set(archive.ids()))
    ]
    return problems
