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
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.document import Document
from archive.errors import NotFound
from archive.journal import file_lock

if TYPE_CHECKING:
    from archive.store import Archive

CATALOGUE_FILE = "catalogue.sqlite"
LOCK_FILE = "catalogue.lock"
# Bump when the columns change: a catalogue of another version is rebuilt from the records.
CATALOGUE_VERSION = 1
# What `list` shows of each document (and `list --json` prints), in order.
LIST_COLUMNS = (
    "id",
    "source",
    "format",
    "kind",
    "title",
    "date",
    "year",
    "case_number",
    "municipality",
    "board",
    "pages",
    "flags",
    "added_at",
)
COLUMNS = (*LIST_COLUMNS, "size")
_JSON_COLUMNS = frozenset({"flags"})
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS documents (
    {", ".join(f"{c} {'TEXT PRIMARY KEY' if c == 'id' else ''}" for c in COLUMNS)}
);
CREATE TABLE IF NOT EXISTS flags (id TEXT NOT NULL, flag TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS flags_id ON flags (id);
CREATE INDEX IF NOT EXISTS documents_kind ON documents (kind);
CREATE INDEX IF NOT EXISTS documents_year ON documents (year);
CREATE INDEX IF NOT EXISTS documents_municipality ON documents (municipality COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value INTEGER);
"""
# Records read and written per transaction while catching up or rebuilding.
_BATCH = 2_000


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
                batch: list[Document] = []
                for doc in _records(self.archive, self.archive.ids()):
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
            _insert(db, list(_records(self.archive, batch)))

    # -- answering --------------------------------------------------------------------------

    def list(
        self,
        *,
        kind: str | None = None,
        municipality: str | None = None,
        year: int | None = None,
    ) -> list[dict[str, Any]]:
        """The documents' listing columns, oldest date first (undated by year, then last)."""
        self.catch_up()
        where, args = [], []
        if kind:
            where.append("kind = ?")
            args.append(kind)
        if municipality:
            where.append("municipality = ? COLLATE NOCASE")
            args.append(municipality)
        if year:
            where.append("year = ?")
            args.append(year)
        sql = (
            f"SELECT {', '.join(COLUMNS)} FROM documents"
            + (f" WHERE {' AND '.join(where)}" if where else "")
            + " ORDER BY coalesce(date, CAST(coalesce(year, 9999) AS TEXT)), source"
        )
        if not self.path.is_file():
            return []
        with self._connect() as db:
            rows = db.execute(sql, args).fetchall()
        return [_row(row) for row in rows]

    def stats(self) -> dict[str, Any]:
        """Counts by kind, municipality, year, format and flag, and the totals."""
        self.catch_up()
        out: dict[str, Any] = {"documents": 0, "pages": 0, "bytes": 0}
        groups = {
            "kind": "kind",
            "municipality": "coalesce(municipality, 'okänd kommun')",
            "year": "coalesce(CAST(year AS TEXT), 'okänt år')",
            "format": "format",
        }
        if not self.path.is_file():
            return out | {name: {} for name in [*groups, "flags"]}
        with self._connect() as db:
            documents, pages, size = db.execute(
                "SELECT count(*), coalesce(sum(pages), 0), coalesce(sum(size), 0) FROM documents"
            ).fetchone()
            out |= {"documents": documents, "pages": pages, "bytes": size}
            for name, expression in groups.items():
                rows = db.execute(
                    f"SELECT {expression} AS v, count(*) AS n FROM documents GROUP BY v"
                ).fetchall()
                if name == "year":
                    out[name] = dict(sorted(rows))
                else:
                    out[name] = dict(sorted(rows, key=lambda r: (-r[1], str(r[0]))))
            rows = db.execute("SELECT flag, count(*) FROM flags GROUP BY flag").fetchall()
            out["flags"] = dict(sorted(rows, key=lambda r: (-r[1], r[0])))
        return out


def _state(db: sqlite3.Connection, key: str) -> int | None:
    try:
        row = db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
    except sqlite3.OperationalError:  # no such table: an empty or foreign file
        return None
    return None if row is None else int(row[0])


def _records(archive: Archive, ids: Iterable[str]) -> Iterator[Document]:
    """The stored records of those ids (the others are gone); a damaged record is left out
    (`list`, `reindex` and `check` name it), as is an id of the wrong shape (a journal line
    someone wrote by hand): nothing outside documents/ is read on the strength of an id."""
    from archive.store import DamagedDocument, _read_record

    for doc_id in ids:
        try:  # a gone record is DamagedDocument too ("record.json saknas")
            yield _read_record(archive._folder(doc_id) / "record.json", doc_id)
        except (NotFound, DamagedDocument):
            continue


def _insert(db: sqlite3.Connection, docs: list[Document]) -> int:
    marks = ",".join("?" * len(COLUMNS))
    db.executemany(
        f"INSERT OR REPLACE INTO documents VALUES ({marks})",
        [
            tuple(
                json.dumps(getattr(d, c), ensure_ascii=False)
                if c in _JSON_COLUMNS
                else getattr(d, c)
                for c in COLUMNS
            )
            for d in docs
        ],
    )
    db.executemany(
        "INSERT INTO flags VALUES (?, ?)", [(d.id, flag) for d in docs for flag in d.flags]
    )
    return len(docs)


def _column(doc: Document, name: str) -> Any:
    value = getattr(doc, name)
    return json.dumps(value, ensure_ascii=False) if name in _JSON_COLUMNS else value


def _row(row: tuple[Any, ...]) -> dict[str, Any]:
    out = dict(zip(COLUMNS, row, strict=True))
    for name in _JSON_COLUMNS:
        value = out[name]
        out[name] = [] if value == "[]" else json.loads(value) if value is not None else None
    return out
