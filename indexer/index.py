"""The search index of an archive: add, remove, search, rebuild, follow the archive's journal.

Engine-neutral: the engine behind it (indexer/engines/, Whoosh or tantivy) stores the postings;
parsing, expansion, spelling, snippets and the order of facets happen here. Layout of the index
folder (``<archive>/index``)::

    CURRENT        name of the live generation folder, replaced atomically
    gen-.../       a complete index of one engine plus diarium-index.json (engine, versions)
                   and journal-position (how far into the archive's journal it has read)
    write.lock     held by whoever writes (add, remove, catching up, swapping generations)
    rebuild.lock   held by a rebuild while it builds a generation beside the live one

A rebuild writes a new generation beside the live one and then swaps CURRENT, so a search
running meanwhile reads the old generation to the end and the next one reads the new one.
Writes to the live generation go on meanwhile; what they wrote is caught up into the new one
from the journal before the swap.
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from archive import messages as msg
from archive.journal import file_lock
from indexer import analysis, compounds, highlight, parallel, spelling, synonyms
from indexer import facets as facet_order
from indexer.engines import (
    LEGACY_ENGINE,
    Engine,
    Matched,
    Reader,
    check_engine_name,
    default_engine,
    engine_named,
)
from indexer.errors import IndexBusy, IndexUnavailable, IndexWarning, SearchIndexError
from indexer.expand import BODY, FOLDED, PARTS, Expanded, describe, expand, variants
from indexer.fields import ACCESS, FIELDS, PERSONAL, SECRET, SECRET_BODY, analyse
from indexer.model import Hit, IndexDoc, SearchResult
from indexer.query import (
    And,
    CaseNumber,
    FieldMatch,
    Node,
    Not,
    Or,
    Range,
    Text,
    check_date_option,
    parse,
    text_leaves,
)
from indexer.synonyms import Synonyms
from indexer.unpickling import RefusedPickle

CURRENT = "CURRENT"
VERSION_FILE = "diarium-index.json"
POSITION_FILE = "journal-position"
# Whether every document in a generation had its compounds split: without the lexicon the
# `parts` field stays empty, and installing the lexicon later does not fill it in.
PARTS_FILE = "compound-parts.json"
LOCK_FILE = "write.lock"
REBUILD_LOCK_FILE = "rebuild.lock"

# How long a writer waits for another one before giving up with IndexBusy.
LOCK_TIMEOUT_S = 30.0
# A query that matches fewer documents than this is tried respelled (issue 6).
FEW_RESULTS = 3
# What a search understands beyond the words as typed (issue 6); all on unless the search
# benchmark leaves some out to measure what each costs.
FEATURES = frozenset({"compounds", "folding", "synonyms", "spelling"})
# Errors of the disk under the index (full, read-only, no permission): reported as they are.
_DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM})
# Documents analysed and written per commit while catching up with the journal.
CATCH_UP_BATCH = 500


class Feed(Protocol):
    """Where an index's documents come from and how it hears of changes (the archive's
    journal, see indexer.archive_sync.ArchiveFeed)."""

    def end(self) -> int:
        """The position after the last change."""

    def changes(self, start: int) -> tuple[list[str], int] | None:
        """Ids that may have changed since `start` and the position after them; None when
        `start` cannot be read from (the journal was replaced): start over."""

    def ids(self) -> list[str]:
        """Every document there is."""

    def docs(self, ids: Iterable[str]) -> Iterator[IndexDoc]:
        """The documents of those ids that exist (the others are gone)."""

    def loader(self) -> Callable[[str], IndexDoc | None]:
        """Reads one document by id, None when it is gone; picklable, so that a rebuild's
        worker processes read the documents themselves."""


@dataclass
class CatchUp:
    added: int = 0
    removed: int = 0
    rebuilt: bool = False


def _versions(engine: Engine) -> dict[str, object]:
    """What an index must have been built with to be searched (else: rebuild it)."""
    phrases = sorted(p for ps in synonyms.indexed_phrases().values() for p in ps)
    return {
        "engine": engine.name,
        **engine.versions(),
        "analysis": analysis.ANALYSIS_VERSION,
        # the fields every engine builds its schema from (a new one needs a rebuild)
        "fields": zlib.crc32(repr(FIELDS).encode()),
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
        engine: str | None = None,
        feed: Feed | None = None,
    ) -> None:
        """`synonyms`: what queries are expanded with (indexer.synonyms.load_synonyms()).
        `engine`: what a rebuild builds (default: engines.DEFAULT_ENGINE); a live index is
        read with the engine that built it.
        `feed`: the archive to follow (indexer.archive_sync.index_of gives it)."""
        if not features <= FEATURES:
            raise ValueError(f"unknown search features: {', '.join(sorted(features - FEATURES))}")
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self.synonyms = synonyms if "synonyms" in features else None
        self.features = features
        self.engine_name = engine or default_engine()
        check_engine_name(self.engine_name)  # here, not at the first rebuild
        self.feed = feed
        self._fields = frozenset(
            field for name, field in (("compounds", PARTS), ("folding", FOLDED)) if name in features
        )
        self._generation: str | None = None
        self._engine: Engine | None = None
        self._reader: Reader | None = None
        self._position: int | None = None  # of the open generation, when known
        self._leftovers_checked = False

    # -- state -----------------------------------------------------------------------------

    def exists(self) -> bool:
        """Whether an index has been built here (it may still be damaged)."""
        return (self.path / CURRENT).is_file()

    def close(self) -> None:
        reader, engine = self._reader, self._engine
        self._reader = self._engine = self._generation = self._position = None
        if reader is not None:
            reader.close()
        if engine is not None:
            engine.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _current(self) -> str:
        try:
            name = (self.path / CURRENT).read_text("utf-8").strip()
        except FileNotFoundError:
            raise IndexUnavailable(
                f"det finns inget sökindex i {self.path}; bygg det med `diarium reindex`"
            ) from None
        if not name or "/" in name or "\\" in name or name.startswith("."):
            raise IndexUnavailable(
                f"sökindexet i {self.path} är skadat ({CURRENT} pekar inte ut något index); "
                "bygg om det med `diarium reindex`"
            )
        return name

    def _current_or_none(self) -> str | None:
        try:
            return self._current()
        except IndexUnavailable:
            return None

    def engine(self) -> str:
        """The engine of the live index (what a rebuild would build, when there is none)."""
        generation = self._current_or_none()
        if generation is None:
            return self.engine_name
        return str(_read_versions(self.path / generation).get("engine", self.engine_name))

    def size(self) -> int:
        """Bytes on disk of the live index."""
        generation = self._current_or_none()
        if generation is None:
            return 0
        folder = self.path / generation
        return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())

    def _open_generation(self, generation: str) -> Engine:
        """The engine of a generation, its versions checked; kept while it stays live."""
        if self._engine is not None and generation == self._generation:
            return self._engine
        self.close()
        folder = self.path / generation
        versions = _read_versions(folder)
        name = str(versions.get("engine", LEGACY_ENGINE))
        try:
            engine = engine_named(name)
        except ValueError:
            engine = None
        if engine is None or versions != _versions(engine):
            raise IndexUnavailable(
                f"sökindexet i {self.path} byggdes av en annan version av diarium eller är "
                "skadat; bygg om det med `diarium reindex`"
            )
        self._engine, self._generation = engine, generation
        if PARTS in self._fields and not _parts_complete(folder) and compounds.has_lexicon():
            warnings.warn(
                f"sökindexet i {self.path} byggdes utan den svenska ordlistan, så "
                "sammansatta ord är inte delade i det (`stöd` hittar inte `försörjningsstöd`); "
                "kör `diarium reindex`",
                IndexWarning,
                stacklevel=3,
            )
        return engine

    def _fresh_reader(self, generation: str) -> Reader:
        engine = self._open_generation(generation)
        if self._reader is not None:
            if self._reader.up_to_date():
                return self._reader
            self._reader.close()
            self._reader = None
        with self._damage_reported(engine):
            self._reader = engine.open(self.path / generation)
        return self._reader

    def _open_reader(self) -> Reader:
        """The reader over the newest commit; kept (with its caches) while nothing changes."""
        for _ in range(3):
            generation = self._current()
            try:
                return self._fresh_reader(generation)
            except IndexUnavailable:
                if self._current_or_none() == generation:
                    raise
            except Exception:
                # A rebuild swapped generations and removed this one's files while it was
                # being opened (an engine then fails in odd ways): retry.
                if self._current_or_none() == generation:
                    raise
            self.close()
        raise IndexUnavailable(
            f"sökindexet i {self.path} byggdes om hela tiden under sökningen; försök igen"
        )

    @contextmanager
    def _damage_reported(self, engine: Engine) -> Iterator[None]:
        """Turns what a damaged index makes the engine raise into IndexUnavailable; only
        that: a bug of diarium's own goes on up as itself (the command says "internal error").

        BaseException: a Rust engine's panic on a broken file arrives as pyo3's
        PanicException, which is not an Exception."""
        try:
            yield
        except (KeyboardInterrupt, SystemExit, GeneratorExit, SearchIndexError):
            raise
        except BaseException as exc:
            if isinstance(exc, OSError) and exc.errno in _DISK_ERRNOS:
                self.close()  # the disk said no (full, read-only): not damage, nothing to rebuild
                raise
            if not engine.is_damage(exc):
                raise
            self.close()
            # The library's own words are English: its exception's name is enough to report; a
            # refused pickle says in our own words what it tried to call.
            error = str(exc) if isinstance(exc, RefusedPickle) else type(exc).__name__
            raise IndexUnavailable(msg.INDEX_DAMAGED.format(path=self.path, error=error)) from exc

    @contextmanager
    def _reading(self) -> Iterator[Reader]:
        """A reader, caught up with the feed first, with damage found while reading reported
        as IndexUnavailable."""
        self.catch_up()
        reader = self._open_reader()
        assert self._engine is not None
        with self._damage_reported(self._engine):
            yield reader

    @contextmanager
    def _lock(self, name: str) -> Iterator[None]:
        self.path.mkdir(parents=True, exist_ok=True)
        try:
            with file_lock(self.path / name, timeout=self.lock_timeout):
                yield
        except TimeoutError:
            raise IndexBusy(
                f"sökindexet i {self.path} skrivs av en annan diarium-process "
                f"(väntade {msg.seconds(self.lock_timeout)}); försök igen när den är klar"
            ) from None

    # -- following the feed ----------------------------------------------------------------

    def catch_up(self) -> CatchUp:
        """Bring the index up to the feed's last change (nothing to do without a feed).

        Without any index yet, builds the whole index from the feed (an archive's first
        search). Cheap when nothing changed: one look at the journal's size.
        """
        if self.feed is None:
            return CatchUp()
        self._clean_leftovers()
        end = self.feed.end()
        generation = self._current_or_none()
        if generation is None:
            if self.exists():  # CURRENT is there but unreadable: damaged, report it
                self._current()
            if not end and not self.feed.ids():
                return CatchUp()  # nothing archived: no index either (search says so)
            return CatchUp(added=self.rebuild_from_feed(), rebuilt=True)
        if generation == self._generation and self._position == end:
            return CatchUp()
        if generation != self._generation:
            self._open_generation(generation)
            self._position = _read_position(self.path / generation)
            if self._position == end:
                return CatchUp()
        with self._lock(LOCK_FILE):
            generation = self._current()
            engine = self._open_generation(generation)
            with self._damage_reported(engine):
                report = self._apply_feed(engine, self.path / generation)
            self._position = _read_position(self.path / generation)
        return report

    def _apply_feed(self, engine: Engine, folder: Path) -> CatchUp:
        """Under the write lock: apply the feed's changes since the folder's position."""
        assert self.feed is not None
        start = _read_position(folder)
        changes = self.feed.changes(start) if start is not None else None
        report = CatchUp()
        if changes is None:  # position unknown: compare every id once, then follow
            end = self.feed.end()
            reader = engine.open(folder)
            try:
                indexed = reader.ids()
            finally:
                reader.close()
            present = set(self.feed.ids())
            ids = sorted(present ^ indexed)
        else:
            ids, end = changes
        for at in range(0, len(ids), CATCH_UP_BATCH):
            batch = ids[at : at + CATCH_UP_BATCH]
            docs = [analyse(doc) for doc in self.feed.docs(batch)]
            added, removed = engine.write(folder, docs, delete=batch)
            report.added += max(0, added - removed)
            report.removed += max(0, removed - added)
            if added and not compounds.has_lexicon():
                _note_parts(folder, complete=False)
        _write_position(folder, end)
        return report

    # -- writing ---------------------------------------------------------------------------

    def add(self, docs: Iterable[IndexDoc]) -> int:
        """Add documents, replacing any with the same id. Needs a built index (see rebuild)."""
        self.catch_up()
        with self._lock(LOCK_FILE):
            generation = self._current()
            engine = self._open_generation(generation)
            with self._damage_reported(engine):
                count, _ = engine.write(self.path / generation, map(analyse, docs), delete=())
            if count and not compounds.has_lexicon():
                _note_parts(self.path / generation, complete=False)
        return count

    def remove(self, ids: Iterable[str]) -> int:
        """Remove documents by id; returns how many were in the index."""
        self.catch_up()
        with self._lock(LOCK_FILE):
            generation = self._current()
            engine = self._open_generation(generation)
            with self._damage_reported(engine):
                _, removed = engine.write(self.path / generation, (), delete=ids)
        return removed

    def rebuild(
        self,
        docs: Iterable[IndexDoc],
        *,
        total: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Index all docs into a new generation, then make it the live one in one step.

        `progress` is called with the number of documents just indexed. A damaged old index
        does not matter here.
        """
        return self._rebuild(docs, None, total=total, progress=progress, since=None)

    def rebuild_from_feed(self, progress: Callable[[int], None] | None = None) -> int:
        """Rebuild from every document of the feed; changes made meanwhile (which went into
        the old generation) are caught up into the new one before it goes live."""
        assert self.feed is not None
        start = self.feed.end()
        ids = self.feed.ids()
        return self._rebuild(
            ids, self.feed.loader(), total=len(ids), progress=progress, since=start
        )

    def _rebuild(
        self,
        items: Iterable[Any],
        load: parallel.Load | None,
        *,
        total: int | None,
        progress: Callable[[int], None] | None,
        since: int | None,
    ) -> int:
        engine = engine_named(self.engine_name)
        with self._lock(REBUILD_LOCK_FILE):
            self._remove_stale_generations(keep=self._current_or_none())
            generation = f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
            folder = self.path / generation
            folder.mkdir()
            try:
                if engine.prepare is None:
                    ready: Iterable[object] = map(analyse, parallel.loaded(items, load))
                else:
                    workers = parallel.workers_for(total)
                    ready = parallel.prepared(items, engine.prepare, workers=workers, load=load)
                count = engine.build(folder, ready, total=total, progress=progress)
                _note_parts(folder, complete=compounds.has_lexicon())
                (folder / VERSION_FILE).write_text(json.dumps(_versions(engine)), "utf-8")
                with self._lock(LOCK_FILE):
                    if since is not None:
                        _write_position(folder, since)
                        caught = self._apply_feed(engine, folder)
                        count += caught.added - caught.removed
                    self._swap(generation)
            except BaseException:
                engine.close()
                shutil.rmtree(folder, ignore_errors=True)
                raise
            engine.close()
            self._remove_stale_generations(keep=generation)
        return count

    def _swap(self, generation: str) -> None:
        tmp = self.path / f"{CURRENT}.{uuid.uuid4().hex[:8]}"
        tmp.write_text(generation, "utf-8")
        os.replace(tmp, self.path / CURRENT)
        self.close()

    def _clean_leftovers(self) -> None:
        """Once per process: remove what a killed rebuild left (a generation CURRENT does not
        name), unless a rebuild is running now (it holds the rebuild lock)."""
        if self._leftovers_checked or not self.path.is_dir():
            return
        self._leftovers_checked = True
        if not any(
            child.name.startswith("gen-") and child.name != self._current_or_none()
            for child in self.path.iterdir()
        ):
            return
        try:
            with file_lock(self.path / REBUILD_LOCK_FILE, timeout=0):
                self._remove_stale_generations(keep=self._current_or_none())
        except (TimeoutError, OSError):  # rebuilding now, or a read-only index: leave it
            return

    def _remove_stale_generations(self, keep: str | None) -> None:
        """Old generations and leftovers of interrupted rebuilds (only a rebuild calls this)."""
        for child in self.path.iterdir():
            if child.is_dir() and child.name.startswith("gen-") and child.name != keep:
                shutil.rmtree(child, ignore_errors=True)

    # -- reading ---------------------------------------------------------------------------

    def ids(self) -> set[str]:
        with self._reading() as reader:
            return reader.ids()

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
        cleared: bool = False,
        personal: Iterable[str] = (),
    ) -> SearchResult:
        """Ranked documents matching the query and every filter given.

        `cleared`: the searcher may see secret-marked text (sekretess): documents marked
        secret as a whole are then found and counted, and the words of secret pages match;
        otherwise both are as if absent. Snippets never show a secret page either way.
        `personal`: only documents holding one of these identity-number tokens
        (archive.privacy.token_of; see archive_sync.personal_token).

        `year` takes 2021 or a range "2021..2023". `sort="relevance"` falls back to date order
        when the query only filters (nothing to rank by).
        """
        if sort not in ("relevance", "date"):
            raise ValueError(f"sort must be 'relevance' or 'date', not {sort!r}")
        if limit < 1 or page < 1:
            raise ValueError("limit and page start at 1")
        node = parse(query)
        if cleared and node is not None:
            node = _with_secret_text(node)
        filters = _filters(municipalities, board, kind, year, date_from, date_to)
        if personal or filters or (node is not None and _searchable(node)):
            # Not otherwise: a query of stop words alone (or none) is still a QueryError,
            # which the access filter, matching every open document, would hide.
            filters += _privacy_filters(cleared, personal)
        wanted = page * limit
        with self._reading() as reader:
            expanded, matched = self._match(reader, node, filters, query, sort, wanted)
            corrected = None
            if matched.total < FEW_RESULTS and node is not None and "spelling" in self.features:
                respelled = self._respell(reader, query, node)
                if respelled is not None:
                    query_used, node = respelled
                    again = self._match(reader, node, filters, query_used, sort, wanted)
                    if again[1].total > matched.total:
                        expanded, matched = again
                        corrected = query_used
            targets = _targets(expanded)
            ranked = reader.rank(matched, expanded, by_score=_by_score(sort, targets), count=wanted)
            hits = [
                self._hit(reader, doc, score, targets) for doc, score in ranked[wanted - limit :]
            ]
            counts = (
                facet_order.ordered(reader.facet_counts(matched), total=matched.total)
                if facets
                else {}
            )
            unknown = self._left_out(reader, node, query, filters, year=year, kind=kind)
        return SearchResult(
            query=query,
            total=matched.total,
            hits=hits,
            facets=counts,
            expanded=describe(expanded),
            corrected=corrected,
            unknown=unknown,
        )

    def _left_out(
        self,
        reader: Reader,
        node: Node | None,
        query: str,
        filters: list[Node],
        *,
        year: int | str | None,
        kind: str | None,
    ) -> dict[str, int]:
        """How many documents the year and kind filters left out because the value is unknown:
        matched without that filter, and without a year (or of the fallback kind "annat")."""
        out: dict[str, int] = {}
        if year is not None and (year_node := parse(f"year:{year}")) is not None:
            rest = [f for f in filters if f is not year_node and f != year_node]
            anywhen = parse("year:1000..9999")
            assert anywhen is not None
            out["year"] = self._match(reader, node, [*rest, Not(anywhen)], query)[1].total
        if kind and kind != "annat":
            rest = [f for f in filters if f != FieldMatch("kind", kind)]
            out["kind"] = self._match(reader, node, [*rest, FieldMatch("kind", "annat")], query)[
                1
            ].total
        return out

    def _match(
        self,
        reader: Reader,
        node: Node | None,
        filters: list[Node],
        query: str,
        sort: str = "date",
        wanted: int = 1,
    ) -> tuple[Expanded | None, Matched]:
        """The expanded query and what it matched; `sort` and `wanted` say what will be ranked
        (the defaults: only the total is wanted)."""
        expanded = expand(node, self.synonyms, fields=self._fields)
        parts = ([expanded] if expanded is not None else []) + filters
        full = parts[0] if len(parts) == 1 else (And(tuple(parts)) if parts else None)  # type: ignore[arg-type]
        by_score = _by_score(sort, _targets(expanded))
        return expanded, reader.match(full, query, by_score=by_score, count=wanted)

    @staticmethod
    def _respell(reader: Reader, query: str, node: Node) -> tuple[str, Node] | None:
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
                    word, frequency=reader.doc_frequency, candidates=reader.terms_from
                )
                if found is None:
                    continue
                shown = _word_in_documents(reader, found.term) or found.spelled
                respelled = _replace_word(respelled, word, shown)
        if respelled == query:
            return None
        node = parse(respelled)
        return (respelled, node) if node is not None else None

    @staticmethod
    def _hit(reader: Reader, handle: object, score: float, targets: highlight.Targets) -> Hit:
        stored = reader.stored(handle)
        info = stored.hit
        snippet = highlight.make_snippet(stored.pages, targets)
        return Hit(
            id=stored.id,
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


def _read_versions(folder: Path) -> dict[str, object]:
    try:
        versions = json.loads((folder / VERSION_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(versions, dict):
        return {}
    versions.setdefault("engine", LEGACY_ENGINE)  # indexes from before there was a choice
    return versions


def _read_position(folder: Path) -> int | None:
    try:
        return int((folder / POSITION_FILE).read_text("ascii"))
    except (OSError, ValueError):
        return None


def _write_position(folder: Path, position: int) -> None:
    note = folder / f"{POSITION_FILE}.{os.getpid()}.tmp"
    note.write_text(str(position), "ascii")
    os.replace(note, folder / POSITION_FILE)


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
    if board:  # the board facet's value: `board:` in a query matches the board's words
        out.append(FieldMatch("board_name", board))
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


def _by_score(sort: str, targets: highlight.Targets) -> bool:
    """Ranked by score, or newest first (asked for, or nothing to rank by: only filters)."""
    return sort != "date" and bool(targets.words)


def _privacy_filters(cleared: bool, personal: Iterable[str]) -> list[Node]:
    out: list[Node] = [] if cleared else [Not(FieldMatch(ACCESS, SECRET))]
    tokens = tuple(FieldMatch(PERSONAL, token) for token in dict.fromkeys(personal))
    if tokens:
        out.append(tokens[0] if len(tokens) == 1 else Or(tokens))
    return out


def _searchable(node: Node) -> bool:
    """Whether a query names anything to look for: not only stop words."""
    if isinstance(node, Text):
        return bool(analysis.analyze(node.text))
    if isinstance(node, Not):
        return _searchable(node.item)
    if isinstance(node, And | Or):
        return any(_searchable(item) for item in node.items)
    return True


def _with_secret_text(node: Node) -> Node:
    """The query for someone cleared: each word or phrase also matches the secret pages'
    text (as words, without their order: that field keeps no positions)."""
    if isinstance(node, Text | CaseNumber):
        return Or((node, FieldMatch(SECRET_BODY, node.text)))
    if isinstance(node, Not):
        return Not(_with_secret_text(node.item))
    if isinstance(node, And | Or):
        return type(node)(tuple(_with_secret_text(item) for item in node.items))
    return node


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


def _word_in_documents(reader: Reader, term: str, sample: int = 3) -> str | None:
    """A word some documents with the term use for it (see spelling.word_for)."""
    texts = [text for doc in reader.with_term(term, sample) for _, text in reader.stored(doc).pages]
    return spelling.word_for(term, texts)


def _replace_word(query: str, word: str, replacement: str) -> str:
    """The query with a lower-cased word replaced wherever it is typed, in any case."""
    pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)
    return pattern.sub(
        lambda m: replacement.capitalize() if m.group(0)[:1].isupper() else replacement, query
    )
