"""The archive's journal: one line for every change the archive makes, appended, never rewritten.

Whatever is derived from the archive (the search index, the catalogue) remembers how far into
the journal it has read and catches up from there, so it follows every change whoever made it
(a command, the Python API, a web server) without walking the archive.

An entry is written *before* the change it names, while the journal's lock is held, and the lock
is released only once the change is on disk. So:

- a reader (who takes the lock shared while reading) never sees an entry whose change is still
  under way: the change is done, or the writer died before finishing it;
- a kill between the entry and the change leaves an entry for a change that never happened.
  Readers therefore treat an entry only as "this document may have changed" and look at the
  document folder itself, which is the truth: stored if its record is there, gone if not.

A kill can therefore never leave a change that the journal does not name.

Layout: ``ROOT/journal`` (JSON lines), ``ROOT/journal.lock``. A reader's position is a byte
offset into the journal, the end of the last whole line it read.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

JOURNAL_FILE = "journal"
LOCK_FILE = "journal.lock"

STORED, REMOVED, CHANGED = "stored", "removed", "changed"


@dataclass(frozen=True)
class Entry:
    op: str  # STORED, REMOVED or CHANGED (for people reading the journal; readers check folders)
    id: str
    file: str | None = None  # for CHANGED: which file of the document


@contextmanager
def file_lock(path: Path, *, shared: bool = False, timeout: float | None = None) -> Iterator[None]:
    """An advisory lock on `path` (created if missing), released when the process dies.

    `timeout`: seconds to wait before TimeoutError; None waits as long as it takes.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        if timeout is None:
            fcntl.flock(fd, mode)
        else:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, mode | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise TimeoutError(f"{path} är låst av en annan process") from None
                    time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


class Journal:
    """The append-only list of the archive's changes (see the module's docstring)."""

    def __init__(self, root: Path) -> None:
        self.path = root / JOURNAL_FILE
        self.lock_path = root / LOCK_FILE

    def end(self) -> int:
        """The journal's size: where a reader that has read everything stands."""
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    @contextmanager
    def recording(self, op: str, doc_id: str, file: str | None = None) -> Iterator[None]:
        """Write the entry durably, then let the caller make the change under the same lock."""
        with file_lock(self.lock_path):
            entry = {"op": op, "id": doc_id} | ({"file": file} if file else {})
            line = json.dumps(entry, ensure_ascii=False).encode() + b"\n"
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
            try:
                size = os.fstat(fd).st_size
                # A writer killed in the middle of its line left no newline: end that line
                # first, so this entry is not glued onto it.
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    line = b"\n" + line
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
            yield

    def read(self, start: int = 0) -> tuple[list[Entry], int]:
        """The entries after byte offset `start`, and the offset to read from next time."""
        with file_lock(self.lock_path, shared=True):
            try:
                with open(self.path, "rb") as fh:
                    fh.seek(start)
                    data = fh.read()
            except FileNotFoundError:
                return [], 0
        whole = data.rfind(b"\n") + 1  # a line without its newline is not finished
        entries = []
        for line in data[:whole].splitlines():
            try:
                raw = json.loads(line)
                entries.append(Entry(str(raw["op"]), str(raw["id"]), raw.get("file")))
            except (ValueError, KeyError, TypeError):
                continue  # the rest of a line whose writer was killed
        return entries, start + whole

    def changed_ids(self, start: int = 0) -> tuple[list[str], int]:
        """The ids whose documents may have changed since `start` (each once, in order).

        A reader whose position lies past the end (the journal was replaced) must start over.
        """
        entries, end = self.read(start)
        return list(dict.fromkeys(e.id for e in entries)), end
