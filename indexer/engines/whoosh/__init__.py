"""The Whoosh engine: diarium's own block format, query runner and impacts on Whoosh's files.

Version pin: whoosh-reloaded >=2.7.5,<2.8 (pyproject.toml). searching.py and codec.py read
private block methods (W3LeafMatcher._read_data, _next_block, block_max_id, reader._terms) and
schema.py subclasses formats; a Whoosh release that changes them must fail the suite, so the
upper bound stays until the suite has run against the new release.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from multiprocessing import cpu_count
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as windex

from indexer import fields as declared
from indexer.engines import Matched, Stored, raised_in_own_code
from indexer.engines.whoosh import schema, unpickling
from indexer.engines.whoosh.codec import Codec
from indexer.engines.whoosh.searching import QueryRunner
from indexer.errors import SearchIndexError
from indexer.expand import BODY, Expanded
from indexer.facets import FACETS
from indexer.unpickling import RefusedPickle

# Memory each Whoosh writer process may fill with postings. Past it Whoosh spills sorted runs to
# disk and merges them back one pickled posting at a time, which doubled the indexing time, so
# a rebuild starts a new round of segments before that: ROUND_CHARS of text gives each of the
# two writers about 4 million postings, some 800 MB by Whoosh's own reckoning.
WRITER_LIMIT_MB = 1024
ROUND_CHARS = 50_000_000
# Below this many documents the start-up of writer processes costs more than it saves.
PARALLEL_MIN_DOCS = 2_000
# Documents per job file handed to a writer process.
BATCH_DOCS = 200


def _writer_options() -> dict[str, Any]:
    """Options for every Whoosh writer.

    compound=False keeps each segment's files apart: Whoosh opens a compound segment file by
    copying every file inside it into memory (a BytesIO over the memory map), so each search
    process read the whole index first, 1.5 GB and about a second at 100,000 documents.
    """
    return {"codec": Codec(), "compound": False}


class WhooshEngine:
    name = "whoosh"
    # Exceptions that mean a bug wherever they come from.
    bugs: tuple[type[BaseException], ...] = (
        SearchIndexError,
        TypeError,
        AttributeError,
        NameError,
        AssertionError,
        NotImplementedError,
        RecursionError,
        MemoryError,
    )

    def __init__(self) -> None:
        self._schema = schema.build_schema()
        # Whoosh reads its files with pickle: only the classes they hold, never other code.
        unpickling.install(self._schema)
        self._ix: windex.Index | None = None
        self._folder: Path | None = None

    def versions(self) -> dict[str, int]:
        return {"schema": schema.SCHEMA_VERSION}

    def is_damage(self, exc: BaseException) -> bool:
        """A damaged index makes Whoosh raise almost anything (ValueError on a negative seek,
        IndexError, KeyError, struct.error, zlib.error, UnpicklingError, a bare Exception for a
        bad block tag...), in Whoosh, in numpy or in this engine's own block reading: all of
        that is damage. What diarium raises elsewhere (query expansion, snippets, the index's
        bookkeeping) is a bug, whatever its type."""
        if isinstance(exc, RefusedPickle):  # a planted file, refused by diarium's unpickler
            return True
        if isinstance(exc, self.bugs):
            return False
        return not raised_in_own_code(exc, except_in=Path(__file__).parent)

    def close(self) -> None:
        self._ix = self._folder = None

    def _index(self, folder: Path) -> windex.Index:
        if self._ix is None or self._folder != folder:
            self._ix, self._folder = windex.open_dir(str(folder), schema=self._schema), folder
        return self._ix

    def open(self, folder: Path) -> WhooshReader:
        return WhooshReader(self._index(folder))

    def write(
        self, folder: Path, docs: Iterable[declared.Analysed], delete: Iterable[str]
    ) -> tuple[int, int]:
        writer = self._index(folder).writer(**_writer_options())
        added = removed = 0
        try:
            for doc_id in set(delete):
                removed += writer.delete_by_term("id", doc_id)
            for doc in docs:
                writer.update_document(**schema.to_fields(doc))
                added += 1
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        return added, removed

    def build(
        self,
        folder: Path,
        docs: Iterable[declared.Analysed],
        *,
        total: int | None,
        progress: Callable[[int], None] | None,
    ) -> int:
        """Write the documents in rounds, each round one segment per writer process.

        A round ends when its text would overflow the writers' buffers, so memory stays bounded
        by WRITER_LIMIT_MB however large the archive. Segments are not merged afterwards:
        Whoosh merges by re-reading every posting in Python, which took as long as indexing,
        while the query runner pays only a term lookup per extra segment.
        """
        ix = windex.create_in(str(folder), self._schema)
        # Two writer processes: this process analyses, compresses and hands over every
        # document, and with more writers it would be the one everybody waits for.
        procs = min(2, cpu_count())
        parallel = procs > 1 and (total is None or total >= PARALLEL_MIN_DOCS)
        pending = iter(docs)
        count = 0
        more = True
        while more:
            if parallel:
                writer = ix.writer(
                    procs=procs,
                    multisegment=True,
                    limitmb=WRITER_LIMIT_MB,
                    batchsize=BATCH_DOCS,
                    **_writer_options(),
                )
            else:
                writer = ix.writer(limitmb=WRITER_LIMIT_MB, **_writer_options())
            chars = 0
            more = False
            try:
                for doc in pending:
                    writer.add_document(**schema.to_fields(doc))
                    count += 1
                    if progress:
                        progress(1)
                    chars += doc.chars
                    if chars >= ROUND_CHARS:
                        more = True
                        break
            except BaseException:
                writer.cancel()
                raise
            writer.commit(merge=False)
        ix.close()
        return count


class WhooshReader:
    """A Whoosh searcher and diarium's query runner over it."""

    def __init__(self, ix: windex.Index) -> None:
        self.searcher = ix.searcher()
        try:
            self.runner = QueryRunner(self.searcher)
        except BaseException:
            self.searcher.close()
            raise

    def up_to_date(self) -> bool:
        # Not Searcher.refresh() when it is not: whoosh-reloaded 2.7.5 keeps the readers of
        # segments that a merge replaced, so documents were counted twice.
        return bool(self.searcher.up_to_date())

    def close(self) -> None:
        self.searcher.close()

    def ids(self) -> set[str]:
        runner = self.runner
        return {runner.doc_id(doc) for doc in np.flatnonzero(runner.live).tolist()}

    def match(
        self, node: Expanded | None, original: str, *, by_score: bool = True, count: int = 10
    ) -> Matched:
        mask, cache = self.runner.run(node, original)
        return Matched(int(np.count_nonzero(mask)), (mask, cache))

    def rank(
        self, matched: Matched, node: Expanded | None, *, by_score: bool, count: int
    ) -> list[tuple[Any, float]]:
        mask, cache = matched.data
        if not by_score:
            return self.runner.top_by_date(mask, count)
        return self.runner.top_by_score(self.runner.scores(node, cache), mask, count)

    def stored(self, handle: Any) -> Stored:
        stored = self.searcher.stored_fields(handle)
        return Stored(stored["id"], stored["hit"], declared.load_pages(stored["pages"]))

    def facet_counts(self, matched: Matched) -> dict[str, dict[str, int]]:
        """Counted per document by intersecting the matches with each value's documents;
        those masks are read once per open index and kept."""
        mask = matched.data[0]
        out: dict[str, dict[str, int]] = {}
        for name, field in FACETS.items():
            counts = {}
            for value in self.runner.terms_of(field):
                n = int(np.count_nonzero(self.runner.mask(field, value) & mask))
                if n:
                    counts[value] = n
            out[name] = counts
        return out

    def doc_frequency(self, term: str) -> int:
        return self.runner.doc_frequency(BODY, term)

    def terms_from(self, prefix: str) -> list[str]:
        return self.runner.terms_from(BODY, prefix)

    def with_term(self, term: str, count: int) -> list[Any]:
        return self.runner.postings(BODY, term).ids[:count].tolist()  # type: ignore[no-any-return]
