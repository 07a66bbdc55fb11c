"""A rebuild analyses on every core (indexer/parallel.py) and indexes exactly what one process
would: the same values for every document, in the same order, and the same search results."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive import Archive
from indexer import parallel
from indexer.archive_sync import ArchiveFeed, index_of
from indexer.engines.tantivy import values_of
from tests.indexer_helpers import shared_archive

QUERIES = ["försörjningsstöd", "ekonomiskt bistånd", "stöd", "skola OR förskola", "granskning"]


@pytest.fixture(scope="module")
def archive(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Archive:
    return shared_archive(tmp_path_factory.mktemp("parallel"), shared_dir)


def test_workers_prepare_the_same_values_in_the_same_order(archive: Archive) -> None:
    feed = ArchiveFeed(archive)
    ids = feed.ids()
    assert len(ids) > 20
    here = list(parallel.prepared(feed.docs(ids), values_of, workers=0))
    original = parallel.BATCH_DOCS
    try:
        parallel.BATCH_DOCS = 7  # many batches in flight, out of step with the workers
        there = list(parallel.prepared(feed.docs(ids), values_of, workers=2))
        # as a rebuild from the archive runs: the workers read the documents themselves, and
        # an id whose document is gone (removed meanwhile) is left out
        gone = [*ids[:3], "0123456789abcdef", *ids[3:]]
        read_there = list(parallel.prepared(gone, values_of, workers=2, load=feed.loader()))
    finally:
        parallel.BATCH_DOCS = original
    assert [v["id"] for v in there] == ids
    assert there == here
    assert read_there == here


def test_a_rebuild_on_workers_finds_what_one_process_finds(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    (archive.root / "settings.yaml").write_text("search_engine: tantivy\n", encoding="utf-8")
    with index_of(archive) as index:
        assert parallel.workers_for(len(list(archive.ids()))) == 0  # built here
        index.rebuild_from_feed()
        serial = {q: index.search(q, limit=20, facets=True) for q in QUERIES}
    monkeypatch.setattr(parallel, "PARALLEL_MIN_DOCS", 1)
    with index_of(archive) as index:
        index.rebuild_from_feed()
        assert index.engine() == "tantivy"
        for query, before in serial.items():
            after = index.search(query, limit=20, facets=True)
            assert after.total == before.total > 0, query
            assert [(h.id, h.snippet) for h in after.hits] == [
                (h.id, h.snippet) for h in before.hits
            ]
            assert after.facets == before.facets
