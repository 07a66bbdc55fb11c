"""The posting block format (indexer/engines/whoosh/codec.py): what Whoosh reads back equals
what the fast path reads, across blocks, segments, deletions and a merge of segments."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as windex

from indexer import Index, IndexDoc
from indexer.engines.whoosh.codec import Codec
from indexer.engines.whoosh.schema import build_schema
from indexer.index import CURRENT

WORDS = [
    "nämnd",
    "beslut",
    "försörjningsstöd",
    "bistånd",
    "utredning",
    "uppföljning",
    "skola",
    "vård",
    "taxa",
    "plan",
]


def _docs(first: int, count: int) -> list[IndexDoc]:
    rng = random.Random(first)
    return [
        IndexDoc(
            id=f"doc{n:04d}",
            title=f"Ärende {n}",
            pages=[(1, " ".join(rng.choices(WORDS, k=rng.randint(5, 60))))],
        )
        for n in range(first, first + count)
    ]


def _whoosh_index(index: Index) -> windex.Index:
    folder = index.path / (index.path / CURRENT).read_text().strip()
    return windex.open_dir(str(folder), schema=build_schema())


def _as_whoosh_reads(index: Index, field: str, term: str) -> dict[int, tuple[float, bytes]]:
    """The term's live postings, (weight, value) by document, through Whoosh's own matchers
    (which merging also uses)."""
    ix = _whoosh_index(index)
    out: dict[int, tuple[float, bytes]] = {}
    with ix.searcher() as searcher:
        for sub, base in searcher.leaf_searchers():
            reader = sub.reader()
            if (field, term) not in reader:
                continue
            m = reader.postings(field, term)
            while m.is_active():
                out[base + m.id()] = (m.weight(), m.value())
                m.next()
    return out


def _as_searched(index: Index, field: str, term: str) -> tuple[list[int], list[float]]:
    with index._reading() as reader:
        runner = reader.runner  # type: ignore[attr-defined]
        p = runner.postings(field, term)
        live = runner.live[p.ids]
        return p.ids[live].tolist(), p.weights[live].tolist()


@pytest.fixture()
def index(tmp_path: Path) -> Index:
    index = Index(tmp_path / "index", features=frozenset())
    index.rebuild(_docs(0, 1400))
    for first in (1400, 1700):  # more segments
        index.add(_docs(first, 300))
    index.remove([f"doc{n:04d}" for n in range(0, 2000, 7)])
    return index


def test_whoosh_and_the_fast_path_read_the_same_postings(index: Index) -> None:
    with index._reading() as reader:
        runner = reader.runner  # type: ignore[attr-defined]
        assert len(runner.leaves) > 1, "the postings should span several segments"
        terms = ["nämnd", "bistånd", "tax"]  # stems, as the index holds them
        block = Codec()._blocklimit
        assert min(len(runner.postings("body", t).ids) for t in terms) > 2 * block
    for term in terms:
        read = _as_whoosh_reads(index, "body", term)
        ids, weights = list(read), [weight for weight, _ in read.values()]
        got_ids, got_weights = _as_searched(index, "body", term)
        assert got_ids == ids
        assert np.allclose(got_weights, weights, rtol=0, atol=1e-6)
        assert len(set(weights)) > 1, "impacts should differ between documents"


def test_a_merge_of_segments_keeps_every_posting(index: Index) -> None:
    before = {t: index.search(t, limit=1000) for t in ("nämnd", "bistånd taxa", '"vård plan"')}
    ix = _whoosh_index(index)
    ix.optimize()  # Whoosh reads every posting back through the codec and writes one segment
    index.close()
    with index._reading() as reader:
        runner = reader.runner  # type: ignore[attr-defined]
        assert len(runner.leaves) == 1
    for query, result in before.items():
        after = index.search(query, limit=1000)
        assert after.total == result.total > 0
        assert [(h.id, h.score) for h in after.hits] == [(h.id, h.score) for h in result.hits]


def test_whoosh_and_the_phrase_check_read_the_same_positions(index: Index) -> None:
    expected = {
        doc: value for doc, (_, value) in _as_whoosh_reads(index, "body_pos", "vård").items()
    }
    with index._reading() as reader:
        runner = reader.runner  # type: ignore[attr-defined]
        live = set(np.flatnonzero(runner.live).tolist())  # Whoosh leaves deleted ones out
        assert runner.posting_values("body_pos", "vård", live) == expected
        some = set(sorted(expected)[::5])
        got = runner.posting_values("body_pos", "vård", some)
        assert got == {doc: expected[doc] for doc in some}
    assert len(expected) > 2 * Codec()._blocklimit
