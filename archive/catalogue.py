"""The catalogue: every record's listing columns in one SQLite file, derived from the archive.

`list` and `stats` answer from it instead of reading every record.json (at 1,000,000 documents
that is a million files opened and parsed for each command). Like the search index it follows the
archive's journal (archive/journal.py) and catches up whenever it is opened, so it shows every
change whoever made it; `diarium reindex` (Catalogue.rebuild) makes it anew from the records.

Written by hand on the standard library's sqlite3: one table, a few indexes, no ORM needed.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.document import LIST_KEYS, Document
from archive.errors import NotFound
from archive.journal import file_lock
from archive.names import fold

if TYPE_CHECKING:
    from archive.store import Archive, Damaged

CATALOGUE_FILE = "catalogue.sqlite"
LOCK_FILE = "catalogue.lock"
# Bump when the columns change: a catalogue of another version is rebuilt from the records.
CATALOGUE_VERSION = 2
# Beside the listed keys (document.LIST_KEYS, what `list --json` prints): what `stats` sums and
# what `list` filters and sorts on, each worked out once from the record when it is written.
_DERIVED = (
    "size",
    "municipality_key",  # fold(municipality): filtered on in any case and spelling of å ä ö
    "board_key",  # fold(board)
    "sort_key",  # the date, else the year, else "9999": `list`'s order with the source
    "ocr_pages",  # pages read by OCR
    "ocr_uncertain",
    "ocr_confidence_sum",
    "ocr_confidence_count",
)
COLUMNS = (*LIST_KEYS, *_DERIVED)
_JSON_COLUMNS = frozenset({"flags", "secrecy"})
_STATS_GROUPS = ("kind", "municipality", "year", "format")
# What `stats` sums per group (document counts are the first): kept in a summary table by
# triggers as documents come and go, so `stats` reads a few hundred rows, not every record.
_SUMS = {
    "documents": "1",
    "pages": "coalesce(R.pages, 0)",
    "size": "coalesce(R.size, 0)",
    "ocr_documents": "(R.ocr_pages > 0)",
    "ocr_pages": "R.ocr_pages",
    "ocr_uncertain": "R.ocr_uncertain",
    "ocr_confidence_sum": "R.ocr_confidence_sum",
    "ocr_confidence_count": "R.ocr_confidence_count",
}
# The summary's keys are never NULL (NULLs would never match in its primary key).
_GROUP_KEYS = ("R.kind", "coalesce(R.municipality, '')", "coalesce(R.year, 0)", "R.format")


def _of(row: str, expressions: Iterable[str]) -> str:
    """The expressions, comma-separated, about the trigger's NEW or OLD row."""
    return ", ".join(expressions).replace("R.", f"{row}.")


_DECREMENTS = [f"{name} = {name} - {value}" for name, value in _SUMS.items()]
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS documents (
    {", ".join(f"{c} {'TEXT PRIMARY KEY' if c == 'id' else ''}" for c in COLUMNS)}
);
CREATE TABLE IF NOT EXISTS flags (id TEXT NOT NULL, flag TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS flags_id ON flags (id);
CREATE INDEX IF NOT EXISTS flags_flag ON flags (flag);
CREATE INDEX IF NOT EXISTS documents_order ON documents (sort_key, source);
CREATE INDEX IF NOT EXISTS documents_kind ON documents (kind, sort_key, source);
CREATE INDEX IF NOT EXISTS documents_kind_year ON documents (kind, year);
CREATE INDEX IF NOT EXISTS documents_year ON documents (year);
CREATE INDEX IF NOT EXISTS documents_municipality ON documents (municipality_key);
CREATE TABLE IF NOT EXISTS summary (
    {", ".join(_STATS_GROUPS)}, {", ".join(_SUMS)},
    PRIMARY KEY ({", ".join(_STATS_GROUPS)})
);
CREATE TRIGGER IF NOT EXISTS documents_added AFTER INSERT ON documents BEGIN
    INSERT INTO summary VALUES (
        {_of("NEW", _GROUP_KEYS)}, {_of("NEW", _SUMS.values())}
    ) ON CONFLICT ({", ".join(_STATS_GROUPS)}) DO UPDATE SET
        {", ".join(f"{name} = {name} + excluded.{name}" for name in _SUMS)};
END;
CREATE TRIGGER IF NOT EXISTS documents_removed AFTER DELETE ON documents BEGIN
    UPDATE summary SET {_of("OLD", _DECREMENTS)}
    WHERE ({", ".join(_STATS_GROUPS)}) = ({_of("OLD", _GROUP_KEYS)});
END;
-- records that could not be read when the catalogue last read them (`check` reads them all)
CREATE TABLE IF NOT EXISTS damaged (id TEXT PRIMARY KEY, reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value INTEGER);
"""
# Records read and written per transaction while catching up or rebuilding.
_BATCH = 2_000


@dataclass(frozen=True)
class Filters:
    """What `diarium list` filters on, each value as the archive stores it (archive/names.py
    resolves what a person types): one kind, any of the municipalities, one board, the years
    from and to (inclusive). Matched in any case, with or without å ä ö; empty is no filter."""

    kind: str | None = None
    municipalities: tuple[str, ...] = ()
    board: str | None = None
    years: tuple[int, int] | None = None


NO_FILTERS = Filters()


class Catalogue:
    """ROOT/catalogue.sqlite: the records' listing columns, following the journal."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.path = archive.root / CATALOGUE_FILE

    @contextmanager
    def _connect(self, path: Path | None = None) -> Iterator[sqlite3.Connection]:
        # SQLite's rollback journal, not WAL: a rebuild replaces the file, and WAL's side files
        # go by name. Writers hold LOCK_FILE, so no transaction is open during the swap.
        with closing(sqlite3.connect(path or self.path, timeout=60, isolation_level=None)) as db:
            db.execute("PRAGMA synchronous=NORMAL")
            # INSERT OR REPLACE then fires the delete trigger for the row it replaces
            db.execute("PRAGMA recursive_triggers=ON")
            yield db

    def catch_up(self) -> None:
        """Read what the journal says changed since the catalogue's position; without a
        usable catalogue, build it. Cheap when nothing changed: one look at the journal."""
        if not self.archive.documents_dir.is_dir():
            return
        journal = self.archive.journal
        if self._position() == journal.end():
            return
        with file_lock(self.archive.root / LOCK_FILE):
            start = self._position()
            end = journal.end()
            if start == end:
                return
            if start is None or start > end:
                self._rebuild()
                return
            ids, end = journal.changed_ids(start)
            with self._connect() as db:
                db.execute("BEGIN IMMEDIATE")
                try:
                    self._apply(db, ids)
                    db.execute("REPLACE INTO state VALUES ('position', ?)", (end,))
                    db.execute("COMMIT")
                except BaseException:
                    db.execute("ROLLBACK")
                    raise

    def rebuild(self) -> int:
        """Make the catalogue anew from every record (beside the old one, then swapped in)."""
        with file_lock(self.archive.root / LOCK_FILE):
            return self._rebuild()

    def _rebuild(self) -> int:
        start = self.archive.journal.end()
        fresh = self.path.with_name(f"{CATALOGUE_FILE}.{os.getpid()}.new")
        fresh.unlink(missing_ok=True)
        count = 0
        try:
            with self._connect(fresh) as db:
                db.executescript(_SCHEMA)
                db.execute("BEGIN")
                batch: list[Document | Damaged] = []
                for doc in _entries(self.archive, self.archive.ids()):
                    batch.append(doc)
                    if len(batch) >= _BATCH:
                        count += _insert(db, batch)
                        batch = []
                count += _insert(db, batch)
                # What changed while the records were read (the journal names it).
                ids, end = self.archive.journal.changed_ids(start)
                self._apply(db, ids)
                db.execute("REPLACE INTO state VALUES ('version', ?)", (CATALOGUE_VERSION,))
                db.execute("REPLACE INTO state VALUES ('position', ?)", (end,))
                db.execute("COMMIT")
            Path(f"{self.path}-journal").unlink(missing_ok=True)  # of a killed writer
            os.replace(fresh, self.path)
        finally:
            for leftover in (fresh, Path(f"{fresh}-journal")):
                leftover.unlink(missing_ok=True)
        return count

    def _position(self) -> int | None:
        if not self.path.is_file():
            return None
        try:
            with self._connect() as db:
                if _state(db, "version") != CATALOGUE_VERSION:
                    return None
                return _state(db, "position")
        except sqlite3.DatabaseError:
            return None  # damaged: derived, so built anew

    def _apply(self, db: sqlite3.Connection, ids: list[str]) -> None:
        for at in range(0, len(ids), _BATCH):
            batch = ids[at : at + _BATCH]
            marks = ",".join("?" * len(batch))
            db.execute(f"DELETE FROM documents WHERE id IN ({marks})", batch)
            db.execute(f"DELETE FROM flags WHERE id IN ({marks})", batch)
            db.execute(f"DELETE FROM damaged WHERE id IN ({marks})", batch)
            _insert(db, list(_entries(self.archive, batch)))

    # -- answering --------------------------------------------------------------------------

    def rows(
        self, filters: Filters = NO_FILTERS, *, limit: int | None = None
    ) -> Iterator[dict[str, Any]]:
        """The documents' listed keys (document.LIST_KEYS), oldest date first (undated by
        year, then last), read as they are consumed: the first rows of a million come at once."""
        self.catch_up()
        if not self.path.is_file():
            return
        where, args = _where(filters)
        sql = f"SELECT {', '.join(LIST_KEYS)} FROM documents{where} ORDER BY sort_key, source" + (
            " LIMIT ?" if limit is not None else ""
        )
        with self._connect() as db:
            for row in db.execute(sql, [*args, *([limit] if limit is not None else [])]):
                yield _row(row)

    def names(self, key: str) -> set[str]:
        """Every municipality or board (`key`) the documents carry, those set by hand too."""
        sql = {
            # the summary has a row per municipality, kind, year and format: hundreds, not 10⁶
            "municipality": "SELECT DISTINCT municipality FROM summary WHERE documents > 0",
            "board": "SELECT DISTINCT board FROM documents",
        }[key]
        self.catch_up()
        if not self.path.is_file():
            return set()
        with self._connect() as db:
            return {name for (name,) in db.execute(sql) if name}

    def damaged(self) -> list[Damaged]:
        """The records the catalogue could not read (as of the journal's last change)."""
        from archive.store import Damaged

        self.catch_up()
        if not self.path.is_file():
            return []
        with self._connect() as db:
            rows = db.execute("SELECT id, reason FROM damaged ORDER BY id").fetchall()
        return [Damaged(doc_id, reason) for doc_id, reason in rows]

    def left_out(self, filters: Filters = NO_FILTERS) -> dict[str, int]:
        """How many documents the kind and year filters left out because the value is unknown:
        of kind "annat" in the years asked for, and without a year, of the kind asked for."""
        out = {"year": 0, "kind": 0}
        if not self.path.is_file():
            return out
        with self._connect() as db:
            if filters.kind and filters.kind != "annat":
                where, args = _where(replace(filters, kind="annat"))
                out["kind"] = db.execute(f"SELECT count(*) FROM documents{where}", args).fetchone()[
                    0
                ]
            if filters.years:
                where, args = _where(replace(filters, years=None))
                sql = f"SELECT count(*) FROM documents{where or ' WHERE 1'} AND year IS NULL"
                out["year"] = db.execute(sql, args).fetchone()[0]
        return out

    def stats(self) -> dict[str, Any]:
        """Counts by kind, municipality, year, format and flag, the totals and what OCR read,
        from the summary the triggers keep (one row per kind, town, year and format)."""
        self.catch_up()
        groups: dict[str, Counter[Any]] = {name: Counter() for name in _STATS_GROUPS}
        documents = pages = size = ocr_documents = ocr_pages = uncertain = confidences = 0
        confidence = 0.0
        flags: list[tuple[str, int]] = []
        damaged: list[str] = []
        if self.path.is_file():
            with self._connect() as db:
                rows = db.execute(
                    f"SELECT {', '.join(_STATS_GROUPS)}, {', '.join(_SUMS)} "
                    "FROM summary WHERE documents > 0"
                ).fetchall()
                flags = db.execute("SELECT flag, count(*) FROM flags GROUP BY flag").fetchall()
                damaged = [row[0] for row in db.execute("SELECT id FROM damaged ORDER BY id")]
            for *values, n, n_pages, n_size, n_ocr, n_ocr_pages, n_uncertain, c_sum, c_n in rows:
                for name, value in zip(_STATS_GROUPS, values, strict=True):
                    groups[name][value] += n
                documents += n
                pages += n_pages
                size += n_size
                ocr_documents += n_ocr
                ocr_pages += n_ocr_pages
                uncertain += n_uncertain
                confidence += c_sum
                confidences += c_n
        years = Counter({str(y) if y else "okänt år": n for y, n in groups["year"].items()})
        towns: Counter[str] = Counter()
        for town, n in groups["municipality"].items():
            towns[town or "okänd kommun"] += n
        return {
            "documents": documents,
            "pages": pages,
            "bytes": size,
            "kind": _most_first(groups["kind"].items()),
            "municipality": _most_first(towns.items()),
            "year": dict(sorted(years.items())),
            "format": _most_first(groups["format"].items()),
            "flags": _most_first(flags),
            "damaged": damaged,
            "ocr": {
                "documents": ocr_documents,
                "pages": ocr_pages,
                "uncertain_pages": uncertain,
                "mean_confidence": round(confidence / confidences, 1) if confidences else None,
            },
        }


def _most_first(counts: Iterable[tuple[Any, int]]) -> dict[Any, int]:
    return dict(sorted(counts, key=lambda item: (-item[1], str(item[0]))))


def _where(filters: Filters) -> tuple[str, list[Any]]:
    where, args = [], []
    if filters.kind:
        where.append("kind = ?")
        args.append(filters.kind)
    towns = sorted({fold(m) for m in filters.municipalities if m.strip()})
    if towns:
        where.append(f"municipality_key IN ({','.join('?' * len(towns))})")
        args += towns
    if filters.board:
        where.append("board_key = ?")
        args.append(fold(filters.board))
    if filters.years:
        where.append("year BETWEEN ? AND ?")
        args += list(filters.years)
    return (f" WHERE {' AND '.join(where)}" if where else ""), args


def _state(db: sqlite3.Connection, key: str) -> int | None:
    try:
        row = db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
    except sqlite3.OperationalError:  # no such table: an empty or foreign file
        return None
    return None if row is None else int(row[0])


def _entries(archive: Archive, ids: Iterable[str]) -> Iterator[Document | Damaged]:
    """The stored records of those ids, a damaged one as Damaged (`list` and `stats` name it,
    `check` and `reindex` too); the others are gone, as is an id of the wrong shape (a journal
    line someone wrote by hand): nothing outside documents/ is read on the strength of an id."""
    from archive.store import Damaged, DamagedDocument, _read_record

    for doc_id in ids:
        try:
            path = archive._folder(doc_id) / "record.json"
            yield _read_record(path, doc_id)
        except NotFound:
            continue
        except DamagedDocument as exc:
            if path.exists():  # else removed meanwhile
                yield Damaged(doc_id, exc.reason)


def _insert(db: sqlite3.Connection, entries: list[Document | Damaged]) -> int:
    """Writes the entries; returns how many were readable documents."""
    docs = [e for e in entries if isinstance(e, Document)]
    db.executemany(
        "INSERT OR REPLACE INTO damaged VALUES (?, ?)",
        [(e.id, e.reason) for e in entries if not isinstance(e, Document)],
    )
    marks = ",".join("?" * len(COLUMNS))
    db.executemany(
        f"INSERT OR REPLACE INTO documents VALUES ({marks})", [_columns(d) for d in docs]
    )
    db.executemany(
        "INSERT INTO flags VALUES (?, ?)", [(d.id, flag) for d in docs for flag in d.flags]
    )
    return len(docs)


def _columns(doc: Document) -> tuple[Any, ...]:
    listed = [
        json.dumps(getattr(doc, key), ensure_ascii=False)
        if key in _JSON_COLUMNS
        else getattr(doc, key)
        for key in LIST_KEYS
    ]
    read = (doc.ocr or {}).get("pages", [])
    confidences = [p["confidence"] for p in read if p.get("confidence") is not None]
    derived = (
        doc.size,
        fold(doc.municipality) if doc.municipality else None,
        fold(doc.board) if doc.board else None,
        doc.date or str(doc.year or 9999),
        len(read),
        sum(1 for p in read if p.get("uncertain")),
        sum(confidences),
        len(confidences),
    )
    return (*listed, *derived)


def _row(row: tuple[Any, ...]) -> dict[str, Any]:
    out = dict(zip(LIST_KEYS, row, strict=True))
    for name in _JSON_COLUMNS:
        value = out[name]
        out[name] = [] if value == "[]" else json.loads(value) if value is not None else None
    return out
