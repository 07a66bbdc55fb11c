"""The archive's trash: a removed document waits here, whole, until it is restored or emptied.

A public record removed by a slip must come back, so `remove` moves the document's folder out of
`documents/` into `ARCHIVE/trash/<id>/` (one rename: atomic, on the same file system) and notes
who removed it, when and why in `removed.json` beside its files. Only `empty` deletes for good,
and only what has waited longer than the age asked for.

    ROOT/trash/abcdef0123456789/original.pdf, text.json, record.json   the document as it was
    ROOT/trash/abcdef0123456789/removed.json                           {"by", "at", "reason"}
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from archive import messages as msg
from archive.document import Document
from archive.errors import DiariumError, NotFound
from archive.journal import REMOVED, STORED
from archive.store import (
    _FULL_ID,
    ID_LENGTH,
    Archive,
    Damaged,
    DamagedDocument,
    _fsync_dir,
    _read_record,
    _write_synced,
    archive_writes,
    id_shaped,
    now_iso,
)

NOTE = "removed.json"
# A prefix this long names one document among millions; four characters name one by luck.
MIN_REMOVE_PREFIX = 8


@dataclass
class TrashEntry:
    document: Document
    removed_at: str  # ISO time, UTC
    by: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {
            "id": self.document.id,
            "source": self.document.source,
            "title": self.document.title or "",
            "removed_at": self.removed_at,
            "by": self.by,
            "reason": self.reason,
        }


def _document(folder: Path) -> Document | Damaged:
    """A trashed document, or Damaged when its record cannot be read (it was removed so)."""
    try:
        return _read_record(folder / "record.json", folder.name)
    except DamagedDocument as exc:
        return Damaged(folder.name, exc.reason)


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name for the uid (some containers)
        return str(os.getuid())


class Trash:
    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.root = archive.root / "trash"

    def put(self, doc_id: str, *, by: str | None = None, reason: str = "") -> Document | Damaged:
        """Move a document into the trash; `doc_id` must be whole or a long, unique prefix."""
        typed = id_shaped(doc_id)
        if len(typed) < min(MIN_REMOVE_PREFIX, ID_LENGTH):
            raise DiariumError(msg.ID_TOO_SHORT.format(id=doc_id, length=MIN_REMOVE_PREFIX))
        doc = self.archive.get_or_damaged(typed)  # a damaged one is moved whole, as it is
        folder = self.archive._folder(doc.id)
        self.root.mkdir(parents=True, exist_ok=True)
        target = self.root / doc.id
        if target.exists():  # removed before, taken in again, removed again: the newer wins
            self._delete(target)
        with archive_writes(msg.DOING_REMOVE.format(id=doc.id)):
            with self.archive.journal.recording(REMOVED, doc.id):  # the index follows
                os.rename(folder, target)
                _fsync_dir(folder.parent)
            note = {"by": by or _who(), "at": now_iso(), "reason": reason}
            temporary = target / f".{NOTE}.tmp"
            _write_synced(temporary, json.dumps(note, ensure_ascii=False).encode())
            os.replace(temporary, target / NOTE)
            _fsync_dir(target)
        return doc

    def entries(self) -> list[TrashEntry]:
        """What the trash holds, most recently removed first."""
        found = []
        if self.root.is_dir():
            for folder in self.root.iterdir():
                entry = self._entry(folder)
                if entry is not None:
                    found.append(entry)
        return sorted(found, key=lambda e: e.removed_at, reverse=True)

    def _entry(self, folder: Path) -> TrashEntry | None:
        if not _FULL_ID.fullmatch(folder.name):
            return None
        doc = _document(folder)
        if isinstance(doc, Damaged):  # removed as it was: listed by its id alone
            doc = Document(id=folder.name, sha256="", source=msg.DAMAGED, format="")
        try:
            note = json.loads((folder / NOTE).read_text("utf-8"))
        except (OSError, ValueError):  # killed between the move and the note: still restorable
            stamp = dt.datetime.fromtimestamp(folder.stat().st_mtime, dt.UTC)
            note = {"at": stamp.replace(microsecond=0).isoformat().replace("+00:00", "Z")}
        return TrashEntry(
            document=doc,
            removed_at=str(note.get("at") or ""),
            by=str(note.get("by") or ""),
            reason=str(note.get("reason") or ""),
        )

    def _resolve(self, doc_id: str) -> Path:
        typed = id_shaped(doc_id)
        matches = sorted(
            p
            for p in self.root.glob(f"{typed[:ID_LENGTH]}*")
            if _FULL_ID.fullmatch(p.name) and p.name.startswith(typed) and p.is_dir()
        )
        if not matches:
            raise NotFound(msg.NOT_IN_TRASH.format(id=doc_id, root=self.archive.root))
        if len(matches) > 1:
            names = ", ".join(p.name for p in matches[:5])
            raise NotFound(msg.AMBIGUOUS_IN_TRASH.format(id=doc_id, matches=names))
        return matches[0]

    def restore(self, doc_id: str) -> Document | Damaged:
        """Put a document back where it was, as it was."""
        folder = self._resolve(doc_id)
        doc = _document(folder)  # a damaged one goes back as it was
        if self.archive.contains(doc.id) or self.archive._folder(doc.id).exists():
            raise DiariumError(msg.ALREADY_IN_ARCHIVE.format(id=doc.id))
        (folder / NOTE).unlink(missing_ok=True)
        target = self.archive._folder(doc.id)
        target.parent.mkdir(parents=True, exist_ok=True)
        with self.archive.journal.recording(STORED, doc.id):
            os.rename(folder, target)
            _fsync_dir(target.parent)
        _fsync_dir(self.root)
        return doc

    def due(self, older_than: dt.timedelta) -> list[TrashEntry]:
        """What was removed longer ago than `older_than`."""
        cutoff = dt.datetime.now(dt.UTC) - older_than
        return [
            e
            for e in self.entries()
            if dt.datetime.fromisoformat(e.removed_at.replace("Z", "+00:00")) <= cutoff
        ]

    def empty(self, older_than: dt.timedelta) -> list[TrashEntry]:
        """Delete for good what was removed longer ago than `older_than`."""
        deleted = self.due(older_than)
        for entry in deleted:
            self._delete(self.root / entry.document.id)
        return deleted

    def _delete(self, folder: Path) -> None:
        """Moved aside first, so a kill never leaves half a document in the trash."""
        doomed = self.archive._new_stage()
        os.rename(folder, doomed / folder.name)
        shutil.rmtree(doomed, ignore_errors=True)
