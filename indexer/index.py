"""The search index of an archive: add, remove, search, rebuild. Nothing Whoosh leaves this module.

Layout of the index folder (``<archive>/index``)::

    CURRENT        name of the live generation folder, replaced atomically
    gen-.../       a complete Whoosh index plus diarium-index.json (versions)
    write.lock     held by whoever writes (add, remove, rebuild)

A rebuild writes a new generation beside the live one and then swaps CURRENT, so a search
running meanwhile reads the old generation to the end and the next one reads the new one.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import time
import uuid
import warnings
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from multiprocessing import cpu_count
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
from whoosh import index as windex
from whoosh.searching import Searcher
from whoosh.util.filelock import FileLock, try_for

from indexer import analysis, compounds, highlight, schema, spelling, synonyms, unpickling
from indexer import facets as facet_counts
from indexer.codec import Codec
from indexer.errors import IndexBusy, IndexUnavailable, IndexWarning, SearchIndexError
from indexer.expand import BODY, FOLDED, PARTS, Expanded, describe, expand, variants
from indexer.model import Hit, IndexDoc, SearchResult
from indexer.query import (
    And,
    FieldMatch,
    Node,
    Or,
    Range,
    Text,
    check_date_option,
    parse,
    text_leaves,
)
from indexer.searching import Mask, Postings, QueryRunner
from indexer.synonyms import Synonyms

CURRENT = "CURRENT"
VERSION_FILE = "diarium-index.json"
# Whether every document in a generation had its compounds split: without the lexicon the
# `parts` field stays empty, and installing the lexicon later does not fill it in.
PARTS_FILE = "compound-parts.json"
LOCK_FILE = "write.lock"

# How long a writer waits for another one before giving up with IndexBusy.
LOCK_TIMEOUT_S = 30.0
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
# A query that matches fewer documents than this is tried respelled (issue 6).
FEW_RESULTS = 3
# What a search understands beyond the words as typed (issue 6); all on unless the search
# benchmark leaves some out to measure what each costs.
FEATURES = frozenset({"compounds", "folding", "synonyms", "spelling"})

# A damaged index makes Whoosh raise almost anything (ValueError on a negative seek, IndexError,
# KeyError, struct.error, zlib.error, UnpicklingError, a bare Exception for a bad block tag...),
# so every exception from reading the files counts as damage, except these, which mean a bug.
_BUGS = (
    SearchIndexError,
    TypeError,
    AttributeError,
    NameError,
    AssertionError,
    NotImplementedError,
    RecursionError,
    MemoryError,
)


# Errors of the disk under the index (full, read-only, no permission): reported as they are.
_DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM})


def _writer_options() -> dict[str, Any]:
    """Options for every Whoosh writer.

    compound=False keeps each segment's files apart: Whoosh opens a compound segment file by
    copying every file inside it into memory (a BytesIO over the memory map), so each search
    process read the whole index first, 1.5 GB and about a second at 100,000 documents.
    """
    return {"codec": Codec(), "compound": False}


def _versions() -> dict[str, int]:
    """What an index must have been built with to be searched (else: rebuild it)."""
    phrases = sorted(p for ps in synonyms.indexed_phrases().values() for p in ps)
    return {
        "schema": schema.SCHEMA_VERSION,
        "analysis": analysis.ANALYSIS_VERSION,
        # the expressions in the `phrases` field come from the built-in synonyms data
        "phrases": zlib.crc32(json.dumps(phrases, ensure_ascii=False).encode()),
    }


class Index:
    """The full-text index kept in ``path``; the archive stays the truth it is built from."""

    def __init__(
        self,
        path: Path,
        *,
        lock_timeout: float = LOCK_TIMEOUT_S,
        synonyms: Synonyms | None = None,
        features: frozenset[str] = FEATURES,
    ) -> None:
        """`synonyms`: what queries are expanded with (indexer.synonyms.load_synonyms())."""
        if not features <= FEATURES:
            raise ValueError(f"unknown search features: {', '.join(sorted(features - FEATURES))}")
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self.synonyms = synonyms if "synonyms" in features else None
        self.features = features
        self._fields = frozenset(
            field for name, field in (("compounds", PARTS), ("folding", FOLDED)) if name in features
        )
        self._schema = schema.build_schema()
        # Whoosh reads its files with pickle: only the classes they hold, never other code.
        unpickling.install(self._schema)
        self._generation: str | None = None
        self._ix: windex.Index | None = None
        self._searcher: Searcher | None = None
        self._runner: QueryRunner | None = None

    # -- state -----------------------------------------------------------------------------

    def exists(self) -> bool:
        """Whether an index has been built here (it may still be damaged)."""
        return (self.path / CURRENT).is_file()

    def close(self) -> None:
        searcher = self._searcher
        self._searcher = self._runner = self._ix = self._generation = None
        if searcher is not None:
            searcher.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _current(self) -> str:
        try:
            name = (self.path / CURRENT).read_text("utf-8").strip()
        except FileNotFoundError:
            raise IndexUnavailable(
                f"there is no search index in {self.path}; build it with `diarium reindex`"
            ) from None
        if not name or "/" in name or "\\" in name or name.startswith("."):
            raise IndexUnavailable(
                f"the search index in {self.path} is damaged ({CURRENT} names no index); "
                "rebuild it with `diarium reindex`"
            )
        return name

    def _open(self) -> windex.Index:
        """The live generation, reopened when a rebuild swapped in a new one."""
        generation = self._current()
        if self._ix is not None and generation == self._generation:
            return self._ix
        return self._open_generation(generation)

    def _swapped_since(self, generation: str | None) -> bool:
        """Whether a rebuild made another generation live (and may have removed this one)."""
        return self._current_or_none() != generation

    def _open_generation(self, generation: str) -> windex.Index:
        self.close()
        folder = self.path / generation
        try:
            versions = json.loads((folder / VERSION_FILE).read_text("utf-8"))
        except (OSError, ValueError):
            versions = None
        if versions != _versions():
            raise IndexUnavailable(
                f"the search index in {self.path} was built by another version of diarium or is "
                "damaged; rebuild it with `diarium reindex`"
            )
        with self._damage_reported():
            ix = windex.open_dir(str(folder), schema=self._schema)
        self._ix, self._generation = ix, generation
        if PARTS in self._fields and not _parts_complete(folder) and compounds.has_lexicon():
            warnings.warn(
                f"the search index in {self.path} was made without the Swedish lexicon, so "
                "compound words are not split in it (`stöd` will not find `försörjningsstöd`); "
                "run `diarium reindex`",
                IndexWarning,
                stacklevel=2,
            )
        return ix

    def _query_runner(self) -> QueryRunner:
        """The runner over the newest commit; kept (with its caches) while nothing changes."""
        for _ in range(3):
            generation = self._current()
            try:
                return self._fresh_runner(generation)
            except Exception:
                # A rebuild swapped generations and removed this one's files while it was
                # being opened (Whoosh then fails in odd ways, a TypeError among them): retry.
                if not self._swapped_since(generation):
                    with self._damage_reported():
                        raise
                self.close()
        raise IndexUnavailable(
            f"the search index in {self.path} kept being rebuilt during this search; try again"
        )

    def _fresh_runner(self, generation: str) -> QueryRunner:
        if self._ix is None or generation != self._generation:
            self._open_generation(generation)
        ix = self._ix
        assert ix is not None
        if self._searcher is not None and self._runner is not None:
            if self._searcher.up_to_date():
                return self._runner
            # Not Searcher.refresh(): whoosh-reloaded 2.7.5 keeps the readers of segments that
            # a merge replaced, so documents were counted twice.
            self._searcher.close()
            self._searcher = self._runner = None
        self._searcher = ix.searcher()
        self._runner = QueryRunner(self._searcher)
        return self._runner

    @contextmanager
    def _damage_reported(self) -> Iterator[None]:
        """Turns what a damaged index makes Whoosh raise into IndexUnavailable."""
        try:
            yield
        except _BUGS:
            raise
        except OSError as exc:
            if exc.errno in _DISK_ERRNOS:  # the disk said no: not damage, nothing to rebuild
                self.close()
                raise
            self._report_damage(exc)
        except Exception as exc:
            self._report_damage(exc)

    def _report_damage(self, exc: Exception) -> NoReturn:
        self.close()
        detail = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
        raise IndexUnavailable(
            f"the search index in {self.path} is damaged ({detail}); "
            "rebuild it with `diarium reindex`"
        ) from exc

    @contextmanager
    def _reading(self) -> Iterator[QueryRunner]:
        """A query runner, with damage found while reading reported as IndexUnavailable."""
        runner = self._query_runner()
        with self._damage_reported():
            yield runner

    @contextmanager
    def _write_lock(self) -> Iterator[None]:
        self.path.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.path / LOCK_FILE))
        if not try_for(lock.acquire, timeout=self.lock_timeout, delay=0.2):
            raise IndexBusy(
                f"the search index in {self.path} is being written by another diarium process "
                f"(waited {self.lock_timeout:g} s); try again when it has finished"
            )
        try:
            yield
        finally:
            lock.release()

    # -- writing ---------------------------------------------------------------------------

    def add(self, docs: Iterable[IndexDoc]) -> int:
        """Add documents, replacing any with the same id. Needs a built index (see rebuild)."""
        with self._write_lock(), self._damage_reported():
            # what a killed rebuild left (only a writer, holding the lock, makes generations)
            self._remove_stale_generations(keep=self._current_or_none())
            ix = self._open()
            count = 0
            writer = ix.writer(**_writer_options())
            try:
                for doc in docs:
                    writer.update_document(**schema.to_fields(doc))
                    count += 1
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            if count and not compounds.has_lexicon():
                assert self._generation is not None
                _note_parts(self.path / self._generation, complete=False)
        return count

    def remove(self, ids: Iterable[str]) -> int:
        """Remove documents by id; returns how many were in the index."""
        with self._write_lock(), self._damage_reported():
            self._remove_stale_generations(keep=self._current_or_none())
            ix = self._open()
            writer = ix.writer(**_writer_options())
            try:
                removed = sum(writer.delete_by_term("id", doc_id) for doc_id in set(ids))
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
        return removed

    def rebuild(
        self,
        docs: Iterable[IndexDoc],
        *,
        total: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Index all docs into a new generation, then make it the live one in one step.

        `progress` is called with the number of documents just indexed. Uses one writer process
        per core when there are enough documents; a damaged old index does not matter here.
        """
        with self._write_lock():
            self._remove_stale_generations(keep=self._current_or_none())
            generation = f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
            folder = self.path / generation
            folder.mkdir()
            try:
                count = self._build(folder, docs, total=total, progress=progress)
                _note_parts(folder, complete=compounds.has_lexicon())
                (folder / VERSION_FILE).write_text(json.dumps(_versions()), "utf-8")
                self._swap(generation)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            self._remove_stale_generations(keep=generation)
        return count

    def _build(
        self,
        folder: Path,
        docs: Iterable[IndexDoc],
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
                    chars += sum(len(text) for _, text in doc.pages)
                    if chars >= ROUND_CHARS:
                        more = True
                        break
            except BaseException:
                writer.cancel()
                raise
            writer.commit(merge=False)
        ix.close()
        return count

    def _current_or_none(self) -> str | None:
        try:
            return self._current()
        except IndexUnavailable:
            return None

    def _swap(self, generation: str) -> None:
        tmp = self.path / f"{CURRENT}.{uuid.uuid4().hex[:8]}"
        tmp.write_text(generation, "utf-8")
        os.replace(tmp, self.path / CURRENT)
        self.close()

    def _remove_stale_generations(self, keep: str | None) -> None:
        """Old generations and leftovers of interrupted rebuilds (only a writer calls this)."""
        for child in self.path.iterdir():
            if child.is_dir() and child.name.startswith("gen-") and child.name != keep:
                shutil.rmtree(child, ignore_errors=True)

    # -- reading ---------------------------------------------------------------------------

    def ids(self) -> set[str]:
        with self._reading() as runner:
            return {runner.doc_id(doc) for doc in np.flatnonzero(runner.live).tolist()}

    def search(
        self,
        query: str,
        *,
        municipalities: Iterable[str] = (),
        board: str | None = None,
        kind: str | None = None,
        year: int | str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        sort: str = "relevance",
        limit: int = 10,
        page: int = 1,
        facets: bool = False,
    ) -> SearchResult:
        """Ranked documents matching the query and every filter given.

        `year` takes 2021 or a range "2021..2023". `sort="relevance"` falls back to date order
        when the query only filters (nothing to rank by).
        """
        if sort not in ("relevance", "date"):
            raise ValueError(f"sort must be 'relevance' or 'date', not {sort!r}")
        if limit < 1 or page < 1:
            raise ValueError("limit and page start at 1")
        node = parse(query)
        filters = _filters(municipalities, board, kind, year, date_from, date_to)
        wanted = page * limit
        with self._reading() as runner:
            expanded, matched, cache = self._match(runner, node, filters, query)
            corrected = None
            total = int(np.count_nonzero(matched))
            if total < FEW_RESULTS and node is not None and "spelling" in self.features:
                respelled = self._respell(runner, query, node)
                if respelled is not None:
                    query_used, node = respelled
                    again = self._match(runner, node, filters, query_used)
                    found = int(np.count_nonzero(again[1]))
                    if found > total:
                        expanded, matched, cache = again
                        total, corrected = found, query_used
            targets = _targets(expanded)
            if sort == "date" or not targets.words:
                ranked = runner.top_by_date(matched, wanted)
            else:
                ranked = runner.top_by_score(runner.scores(expanded, cache), matched, wanted)
            hits = [
                self._hit(runner, doc, score, targets) for doc, score in ranked[wanted - limit :]
            ]
            counts = facet_counts.count(runner, matched) if facets else {}
        return SearchResult(
            query=query,
            total=total,
            hits=hits,
            facets=counts,
            expanded=describe(expanded),
            corrected=corrected,
        )

    def _match(
        self, runner: QueryRunner, node: Node | None, filters: list[Node], query: str
    ) -> tuple[Expanded | None, Mask, dict[tuple[str, str], Postings]]:
        expanded = expand(node, self.synonyms, fields=self._fields)
        parts = ([expanded] if expanded is not None else []) + filters
        full = parts[0] if len(parts) == 1 else (And(tuple(parts)) if parts else None)  # type: ignore[arg-type]
        matched, cache = runner.run(full, query)
        return expanded, matched, cache

    @staticmethod
    def _respell(runner: QueryRunner, query: str, node: Node) -> tuple[str, Node] | None:
        """The query with its unknown or rare words respelled as the index spells them.

        Shown as a word the documents use: the most common word in the best documents whose
        stem is the suggested term (a stem alone, such as `arbetsmarknadsen`, is not a word).
        """
        respelled = query
        for leaf in text_leaves(node):
            if not isinstance(leaf, Text) or leaf.phrase:
                continue
            for word in analysis.words(leaf.text):
                found = spelling.suggest(
                    word,
                    frequency=lambda term: runner.doc_frequency(BODY, term),
                    candidates=lambda prefix: runner.terms_from(BODY, prefix),
                )
                if found is None:
                    continue
                shown = _word_in_documents(runner, found.term) or found.spelled
                respelled = _replace_word(respelled, word, shown)
        if respelled == query:
            return None
        node = parse(respelled)
        return (respelled, node) if node is not None else None

    @staticmethod
    def _hit(runner: QueryRunner, docnum: int, score: float, targets: highlight.Targets) -> Hit:
        stored = runner.searcher.stored_fields(docnum)
        info = stored["hit"]
        snippet = highlight.make_snippet(schema.load_pages(stored["pages"]), targets)
        return Hit(
            id=stored["id"],
            score=round(score, 4),
            title=info["title"],
            kind=info["kind"],
            municipality=info["municipality"],
            board=info["board"],
            date=info["date"],
            year=info["year"],
            case_number=info["case_number"],
            source=info["source"],
            page=snippet.page,
            snippet=snippet.text,
            highlights=snippet.highlights,
        )


def _note_parts(folder: Path, *, complete: bool) -> None:
    note = folder / f"{PARTS_FILE}.{os.getpid()}.tmp"
    note.write_text(json.dumps({"complete": complete}), "utf-8")
    os.replace(note, folder / PARTS_FILE)


def _parts_complete(folder: Path) -> bool:
    try:
        return bool(json.loads((folder / PARTS_FILE).read_text("utf-8"))["complete"])
    except (OSError, ValueError, KeyError, TypeError):
        return True  # no note: nothing known against it


def _filters(
    municipalities: Iterable[str],
    board: str | None,
    kind: str | None,
    year: int | str | None,
    date_from: str | None,
    date_to: str | None,
) -> list[Node]:
    """The search options as query nodes, so options and `field:value` behave the same."""
    out: list[Node] = []
    names = [m for m in municipalities if m.strip()]
    if names:
        matches = tuple(FieldMatch("municipality", m) for m in names)
        out.append(matches[0] if len(matches) == 1 else Or(matches))
    if board:
        out.append(FieldMatch("board", board))
    if kind:
        out.append(FieldMatch("kind", kind))
    if year is not None:
        node = parse(f"year:{year}")
        if node is not None:
            out.append(node)
    if date_from or date_to:
        low = check_date_option(date_from, "from") if date_from else None
        high = check_date_option(date_to, "to") if date_to else None
        out.append(Range("date", low, high))
    return out


def _targets(expanded: Expanded | None) -> highlight.Targets:
    """What the snippets mark: the words as typed, the synonyms' words and the variants."""
    typed = (t for leaf in text_leaves(expanded) for t in analysis.analyze(leaf.text))  # type: ignore[arg-type]
    found = variants(expanded)
    synonyms = (t for v in found if v.field == BODY for t in v.terms)
    return highlight.Targets(
        words=frozenset([*typed, *synonyms]),
        folded=frozenset(t for v in found if v.field == FOLDED for t in v.terms),
        parts=frozenset(t for v in found if v.field == PARTS for t in v.terms),
    )


def _word_in_documents(runner: QueryRunner, term: str, sample: int = 3) -> str | None:
    """A word some documents with the term use for it (see spelling.word_for)."""
    docs = runner.postings(BODY, term).ids[:sample].tolist()
    texts = [
        text
        for doc in docs
        for _, text in schema.load_pages(runner.searcher.stored_fields(doc)["pages"])
    ]
    return spelling.word_for(term, texts)


def _replace_word(query: str, word: str, replacement: str) -> str:
    """The query with a lower-cased word replaced wherever it is typed, in any case."""
    pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)
    return pattern.sub(
        lambda m: replacement.capitalize() if m.group(0)[:1].isupper() else replacement, query
    )
