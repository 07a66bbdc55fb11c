"""The archive on disk: originals byte for byte, extracted text and a record per document.

Layout (everything else, the search index included, is derived from it):

    ROOT/documents/ab/abcdef0123456789/original.pdf   the file as it came in
    ROOT/documents/ab/abcdef0123456789/text.json      pages, headings, header and footer text
    ROOT/documents/ab/abcdef0123456789/record.json    the Document (what `show --json` prints)
    ROOT/tmp/                                         staging; a document is built here, then
                                                      renamed into place in one atomic step
    ROOT/generated/<fingerprint>                      the id `generate --file` filed for the
                                                      same kind, template and data
    ROOT/settings.yaml                                optional: templates, synonyms, ... folders
    ROOT/journal                                      every change, appended (archive/journal.py)
    ROOT/catalogue.sqlite                             the records' listing columns (derived)

A document folder appears whole or not at all (rename is atomic on one file system), so a kill at
any moment leaves no half-written document, and two processes storing the same bytes cannot both
win: the loser sees the folder and reports "unchanged".
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
import yaml

from archive import messages as msg
from archive.catalogue import NO_FILTERS, Catalogue, Filters
from archive.document import Document
from archive.errors import DiariumError, NotFound
from archive.journal import CHANGED, STORED, Journal
from archive.limits import Limits
from archive.metadata import profiles
from archive.metadata.profiles import Profiles
from archive.model import Extraction, Page
from archive.safeyaml import read_text, safe_load

if TYPE_CHECKING:
    from archive.ocr_stored import OcrReport

ID_LENGTH = 16
# What a document id may look like before any path is built from it: a whole id, a prefix of at
# least MIN_PREFIX characters, or a whole sha256; lowercase hexadecimal only, so `../x`, `/etc`,
# `a/b` or a name with a NUL never reach the file system.
MIN_PREFIX = 4
_ID_SHAPE = re.compile(rf"[0-9a-f]{{{MIN_PREFIX},64}}")
_FULL_ID = re.compile(rf"[0-9a-f]{{{ID_LENGTH}}}")


class ArchiveWriteError(DiariumError):
    """The archive's disk refused a write (full, read-only, no permission): one line naming the
    path and what was being done; the batch stops, as every later write would fail the same."""


# What a disk says when it will not take a write: the archive, not one input, is at fault.
_DISK_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO}
)


def id_shaped(doc_id: str) -> str:
    """`doc_id` as typed, lowercased; NotFound unless it has an id's shape (hex, 4-64 long),
    which is checked before it becomes part of any path (`../../x` is no id)."""
    typed = doc_id.strip().lower()
    if not _ID_SHAPE.fullmatch(typed):
        shown = ascii(typed) if len(typed) <= 80 else ascii(typed[:80]) + "…"
        raise NotFound(msg.NOT_AN_ID.format(id=shown, length=MIN_PREFIX))
    return typed


@contextmanager
def archive_writes(what: str) -> Iterator[None]:
    """Turn an OSError writing the archive into ArchiveWriteError naming path and operation."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in _DISK_ERRNOS:
            raise
        where = exc.filename or msg.THE_ARCHIVE
        raise ArchiveWriteError(
            msg.CANNOT_WRITE.format(path=where, doing=what, reason=msg.os_error(exc))
        ) from exc


class DamagedDocument(DiariumError):
    """A stored document whose record.json or text.json cannot be read; only that one fails."""

    def __init__(self, doc_id: str, reason: str) -> None:
        super().__init__(msg.DOCUMENT_DAMAGED.format(id=doc_id, reason=reason))
        self.doc_id = doc_id
        self.reason = reason


@dataclass
class Damaged:
    """A document folder whose record cannot be read, as `list`, `stats` and `check` show it."""

    id: str
    reason: str


@dataclass
class Failure:
    path: str
    error: str


@dataclass
class IngestReport:
    added: list[Document] = field(default_factory=list)
    unchanged: list[Document] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    skipped: list[Failure] = field(default_factory=list)  # diarium's own data files
    # why the batch stopped early: the archive itself could not be written (disk full, ...)
    stopped: str | None = None
    warnings: list[str] = field(default_factory=list)  # about the batch as a whole

    def to_dict(self) -> dict[str, Any]:
        def brief(doc: Document) -> dict[str, Any]:
            return {
                "id": doc.id,
                "source": doc.source,
                "kind": doc.kind,
                "title": doc.title,
                "date": doc.date,
                "flags": doc.flags,
            }

        return {
            "added": [brief(d) for d in self.added],
            "unchanged": [brief(d) for d in self.unchanged],
            "failed": [asdict(f) for f in self.failed],
            "skipped": [asdict(f) for f in self.skipped],
            "stopped": self.stopped,
            "warnings": self.warnings,
        }


def default_root() -> Path:
    env = os.environ.get("DIARIUM_ARCHIVE")
    return Path(env).expanduser() if env else Path(platformdirs.user_data_dir("diarium"))


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _rendition(name: str, data: bytes) -> dict[str, Any]:
    return {
        "format": Path(name).suffix.lstrip("."),
        "file": name,
        "size": len(data),
        "sha256": sha256_of(data),
    }


def text_json(extraction: Extraction) -> bytes:
    """A document's text.json: its pages, headings, header and footer text, file properties."""
    text = {
        "pages": [asdict(p) for p in extraction.pages],
        "headings": [asdict(h) for h in extraction.headings],
        "header_text": extraction.header_text,
        "footer_text": extraction.footer_text,
        "properties": extraction.properties,
    }
    return json.dumps(text, ensure_ascii=False).encode()


def _write_synced(path: Path, data: bytes) -> None:
    try:
        with open(path, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        if exc.filename is None:  # a full disk fails the write or the close, not the open
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A killed worker whose parent died too may linger as a zombie where nothing reaps orphans
    # (containers without an init); it answers signals but will never finish its stage.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


class Archive:
    """The archive folder; cheap to create, touches the disk only when asked to."""

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root).expanduser() if root else default_root()

    def __repr__(self) -> str:
        return f"Archive({str(self.root)!r})"

    @property
    def documents_dir(self) -> Path:
        return self.root / "documents"

    @property
    def index_dir(self) -> Path:
        return self.root / "index"

    @property
    def journal(self) -> Journal:
        """What changed, in order: the index and the catalogue follow it (archive/journal.py)."""
        return Journal(self.root)

    @property
    def tmp_dir(self) -> Path:
        return self.root / "tmp"

    @property
    def generated_dir(self) -> Path:
        return self.root / "generated"

    @property
    def settings(self) -> dict[str, Any]:
        path = self.root / "settings.yaml"
        if not path.is_file():
            return {}
        try:
            data = safe_load(read_text(path)) or {}
        except OSError as exc:
            reason = msg.os_error(exc)
            raise DiariumError(f"{path}: inställningarna går inte att läsa: {reason}") from None
        except yaml.YAMLError as exc:
            raise DiariumError(f"{path}: {msg.yaml_error(exc)}") from None
        if not isinstance(data, dict):
            raise DiariumError(f"{path}: inställningarna måste vara en mappning nyckel: värde")
        return data

    @property
    def limits(self) -> Limits:
        """What this archive takes from inputs nobody here controls (settings `limits:`)."""
        return Limits.from_settings(self.settings, str(self.root / "settings.yaml"))

    def setting_path(self, key: str) -> Path | None:
        """A folder or file named in settings.yaml, relative paths taken from the archive root."""
        value = self.settings.get(key)
        if not value:
            return None
        path = Path(str(value)).expanduser()
        return path if path.is_absolute() else self.root / path

    def profiles(self) -> Profiles:
        """Shipped municipality data plus the archive's own folder (setting `municipalities`)."""
        extra = self.setting_path("municipalities")
        return profiles.load([extra] if extra else [])

    def exists(self) -> bool:
        return self.documents_dir.is_dir()

    # -- reading -----------------------------------------------------------------------------

    def _folder(self, doc_id: str) -> Path:
        if not _FULL_ID.fullmatch(doc_id):  # only resolve() and our own ids get here
            raise NotFound(msg.NOT_A_FULL_ID.format(id=doc_id))
        return self.documents_dir / doc_id[:2] / doc_id

    def resolve(self, doc_id: str) -> str:
        """A full id from a unique prefix, as git takes short hashes."""
        doc_id = id_shaped(doc_id)
        if len(doc_id) >= ID_LENGTH and self.contains(doc_id):
            return doc_id[:ID_LENGTH]
        if len(doc_id) > ID_LENGTH:
            raise NotFound(f"inget dokument {doc_id!r} i {self.root}")
        shard = self.documents_dir / doc_id[:2]
        matches = sorted(
            p.name
            for p in shard.glob(doc_id + "*")
            if _FULL_ID.fullmatch(p.name) and (p / "record.json").is_file()
        )
        if not matches:
            raise NotFound(f"inget dokument {doc_id!r} i {self.root}")
        if len(matches) > 1:
            raise NotFound(f"id:t {doc_id!r} är tvetydigt: {', '.join(matches[:5])}")
        return matches[0]

    def get(self, doc_id: str) -> Document:
        doc_id = self.resolve(doc_id)
        return _read_record(self._folder(doc_id) / "record.json", doc_id)

    def get_or_damaged(self, doc_id: str) -> Document | Damaged:
        """The document, or what is wrong with it when its record cannot be read."""
        doc_id = self.resolve(doc_id)
        try:
            return self.get(doc_id)
        except DamagedDocument as exc:
            return Damaged(doc_id, exc.reason)

    def contains(self, sha256: str) -> bool:
        doc_id = sha256[:ID_LENGTH]
        return bool(_FULL_ID.fullmatch(doc_id)) and (self._folder(doc_id) / "record.json").is_file()

    def _text_data(self, doc_id: str) -> dict[str, Any]:
        doc_id = self.resolve(doc_id)
        return _read_text(self._folder(doc_id) / "text.json", doc_id)

    def pages(self, doc_id: str) -> list[Page]:
        return [Page(p["number"], p["text"]) for p in self._text_data(doc_id)["pages"]]

    def furniture(self, doc_id: str) -> str:
        """The page header and footer lines taken out of the text, as one text."""
        data = self._text_data(doc_id)
        return "\n".join(t for t in (data.get("header_text"), data.get("footer_text")) if t)

    def text(self, doc_id: str) -> str:
        return "\n\n".join(p.text for p in self.pages(doc_id))

    def original(self, doc_id: str) -> Path:
        folder = self._folder(self.resolve(doc_id))
        return next(folder.glob("original.*"))

    def ids(self) -> Iterator[str]:
        if not self.documents_dir.is_dir():
            return
        for shard in sorted(self.documents_dir.iterdir()):
            if not shard.is_dir() or shard.is_symlink():
                continue
            for folder in sorted(shard.iterdir()):
                if (
                    _FULL_ID.fullmatch(folder.name)
                    and not folder.is_symlink()
                    and (folder / "record.json").is_file()
                ):
                    yield folder.name

    def entries(self) -> Iterator[Document | Damaged]:
        """Every stored document, a damaged one as Damaged so that it never stops the rest."""
        for doc_id in self.ids():
            try:
                yield self.get(doc_id)
            except DamagedDocument as exc:
                yield Damaged(doc_id, exc.reason)

    def documents(self) -> Iterator[Document]:
        """Every readable document (`entries()` also names the damaged ones)."""
        for entry in self.entries():
            if isinstance(entry, Document):
                yield entry

    def damaged(self) -> list[Damaged]:
        return [entry for entry in self.entries() if isinstance(entry, Damaged)]

    def __len__(self) -> int:
        return sum(1 for _ in self.ids())

    @property
    def catalogue(self) -> Catalogue:
        """The records' listing columns in SQLite, following the journal (archive/catalogue.py)."""
        return Catalogue(self)

    def listing(
        self, filters: Filters = NO_FILTERS, *, limit: int | None = None
    ) -> Iterator[dict[str, Any]]:
        """Each document's listed keys (document.LIST_KEYS), oldest date first, from the
        catalogue as they are read; filtered as `diarium list` filters (Catalogue.rows)."""
        return self.catalogue.rows(filters, limit=limit)

    def stats(self) -> dict[str, Any]:
        """Counts by kind, municipality, year, format and flag, the totals and what OCR read,
        from the catalogue (a million records are not read for it)."""
        return {"archive": str(self.root), **self.catalogue.stats()}

    # -- writing -----------------------------------------------------------------------------

    def _new_stage(self) -> Path:
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        stage = self.tmp_dir / f"{os.getpid()}-{uuid.uuid4().hex}"
        stage.mkdir()
        return stage

    def clean_stale(self) -> None:
        """Staging folders of processes that died (a kill mid-write) are removed."""
        if not self.tmp_dir.is_dir():
            return
        for stage in self.tmp_dir.iterdir():
            pid, _, _ = stage.name.partition("-")
            if pid.isdigit() and not _pid_alive(int(pid)):
                shutil.rmtree(stage, ignore_errors=True)

    def commit(
        self,
        doc: Document,
        original: bytes,
        extraction: Extraction,
        *,
        extra: Sequence[tuple[str, bytes]] = (),
    ) -> bool:
        """Store a document whole; False if it was already there (same bytes, same id).

        `extra`: (file name, bytes) of its other renditions, stored in the same atomic step.
        """
        target = self._folder(doc.id)
        if (target / "record.json").is_file():
            return False
        with archive_writes(msg.DOING_STORE.format(source=doc.source)):
            return self._commit(target, doc, original, extraction, extra)

    def _commit(
        self,
        target: Path,
        doc: Document,
        original: bytes,
        extraction: Extraction,
        extra: Sequence[tuple[str, bytes]],
    ) -> bool:
        stage = self._new_stage()
        try:
            suffix = Path(doc.source).suffix.lower() or ".bin"
            _write_synced(stage / f"original{suffix}", original)
            for name, content in extra:
                _write_synced(stage / name, content)
            _write_synced(stage / "text.json", text_json(extraction))
            for name, data in extraction.files.items():
                _write_synced(stage / name, data)
            record = json.dumps(doc.to_dict(), ensure_ascii=False, indent=1).encode()
            _write_synced(stage / "record.json", record)
            _fsync_dir(stage)
            target.parent.mkdir(parents=True, exist_ok=True)
            with self.journal.recording(STORED, doc.id):
                try:
                    os.rename(stage, target)
                except OSError:
                    if (target / "record.json").is_file():
                        return False  # another process stored the same bytes first
                    raise
                _fsync_dir(target.parent)
            return True
        finally:
            if stage.exists():
                shutil.rmtree(stage, ignore_errors=True)

    def store_generated(
        self,
        path: Path,
        metadata: dict[str, Any],
        *,
        made_from: str | None = None,
        template: dict[str, str] | None = None,
        renditions: Sequence[Path] = (),
    ) -> tuple[Document, bool]:
        """File a document diarium made itself (see archive.pipeline.file_generated).

        `template`: {"kind", "data"}, recorded as the provenance of every value from the data.
        `renditions`: other files of the same document (the DOCX beside its PDF/A), kept in its
        folder, so the two are one document found once, not two unrelated ones.
        """
        from archive.pipeline import file_generated

        return file_generated(
            self, path, metadata, made_from=made_from, template=template, renditions=renditions
        )

    def made_from(self, fingerprint: str) -> Document | None:
        try:
            doc_id = (self.generated_dir / fingerprint).read_text("ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return self.get(doc_id) if self.contains(doc_id) else None  # removed since: file anew

    def note_made_from(self, fingerprint: str, doc_id: str) -> None:
        folder = self.generated_dir
        folder.mkdir(parents=True, exist_ok=True)
        stage = self._new_stage()
        try:
            note = stage / fingerprint
            _write_synced(note, doc_id.encode("ascii"))
            os.replace(note, folder / fingerprint)
            _fsync_dir(folder)
        finally:
            shutil.rmtree(stage, ignore_errors=True)

    def update_record(self, doc_id: str, change: Callable[[dict[str, Any]], None]) -> Document:
        """Change a stored document's record in place: `change` edits the record's dict.

        The one way every later change (hand-set values, OCR, privacy marks, secrecy) reaches a
        stored record, so each is written the same way: to a file beside it, synced, renamed
        over the old one, and the folder synced; a kill leaves the old record or the new one.
        """
        doc_id = self.resolve(doc_id)
        record = read_document_json(self._folder(doc_id) / "record.json", doc_id)
        change(record)
        doc = Document.from_dict(record)
        self.write_file(
            doc.id, "record.json", json.dumps(record, ensure_ascii=False, indent=1).encode()
        )
        return doc

    def write_file(self, doc_id: str, name: str, data: bytes) -> Path:
        """Write (or replace) one file of a stored document atomically: text.json after OCR,
        a searchable copy beside the original. The original itself is never replaced."""
        if name.startswith("original.") or "/" in name or name in ("", ".", ".."):
            raise DiariumError(f"{name!r} är ingen fil som får bytas ut i ett lagrat dokument")
        folder = self._folder(self.resolve(doc_id))
        temporary = folder / f".{name}.{os.getpid()}-{uuid.uuid4().hex}.tmp"
        with archive_writes(msg.DOING_WRITE.format(name=name)):
            try:
                _write_synced(temporary, data)
                with self.journal.recording(CHANGED, folder.name, name):
                    os.replace(temporary, folder / name)
                    _fsync_dir(folder)
            finally:
                temporary.unlink(missing_ok=True)
        return folder / name

    def remove(self, doc_id: str, *, by: str | None = None, reason: str = "") -> Document | Damaged:
        """Move a document into the archive's trash (see archive.trash), whole and restorable.

        `doc_id` must be the whole id or a unique prefix of at least 8 characters: a slip of
        four characters must not take out a public record. `by` defaults to the login name. A
        damaged document can be removed as well (returned as Damaged).
        """
        from archive.trash import Trash

        return Trash(self).put(doc_id, by=by, reason=reason)

    def restore(self, doc_id: str) -> Document | Damaged:
        """Bring a document back from the trash, as it was."""
        from archive.trash import Trash

        return Trash(self).restore(doc_id)

    def ocr(
        self,
        ids: Iterable[str] | None = None,
        *,
        mode: str = "auto",
        progress: Callable[[Document], None] | None = None,
    ) -> OcrReport:
        """Read stored scans with OCR (default: all flagged `no text layer`); an OcrReport."""
        from archive.ocr_stored import ocr_stored

        return ocr_stored(self, ids, mode=mode, progress=progress)

    def ingest(
        self,
        paths: Iterable[Path | str],
        *,
        municipality: str | None = None,
        overrides: dict[str, Any] | None = None,
        jobs: int | None = None,
        progress: Callable[[int, int, str, str], None] | None = None,
        ocr: str | None = None,
    ) -> IngestReport:
        """`ocr`: read scanned pages `auto` (pages without a usable text layer), `always` or
        `never`; default: the setting `ocr` in settings.yaml, else auto."""
        from archive.ingest import ingest

        return ingest(
            self,
            [Path(p) for p in paths],
            municipality=municipality,
            overrides=overrides or {},
            jobs=jobs,
            progress=progress,
            ocr=ocr,
        )


def is_document_id(name: str) -> bool:
    """Whether `name` is a whole document id (the name of a document folder)."""
    return bool(_FULL_ID.fullmatch(name))


def read_document_json(path: Path, doc_id: str) -> Any:
    """One of a document's JSON files; DamagedDocument if it is missing or not JSON."""
    try:
        return json.loads(path.read_bytes())
    except FileNotFoundError:
        raise DamagedDocument(doc_id, msg.FILE_MISSING.format(name=path.name)) from None
    except json.JSONDecodeError as exc:  # the library's own words are English
        raise DamagedDocument(doc_id, f"{path.name}: {msg.json_error(exc)}") from None
    except (ValueError, RecursionError):  # not UTF-8 (UnicodeDecodeError), nested too deep
        raise DamagedDocument(doc_id, msg.NOT_READABLE_JSON.format(name=path.name)) from None


def _read_record(path: Path, doc_id: str) -> Document:
    data = read_document_json(path, doc_id)
    problem = record_problem(data, doc_id)
    if problem:
        raise DamagedDocument(doc_id, f"{path.name}: {problem}")
    return Document.from_dict(data)


def _read_text(path: Path, doc_id: str) -> dict[str, Any]:
    data = read_document_json(path, doc_id)
    problem = text_problem(data)
    if problem:
        raise DamagedDocument(doc_id, f"{path.name}: {problem}")
    return data


# The record's fields whose JSON type a reader relies on; others are checked by their users.
_RECORD_TYPES: dict[str, tuple[type, ...]] = {
    "id": (str,),
    "sha256": (str,),
    "source": (str,),
    "format": (str,),
    "kind": (str,),
    "pages": (int,),
    "size": (int,),
    "officers": (list,),
    "flags": (list,),
    "manual": (list,),
    "sections": (list,),
    "tables": (list,),
}
_OPTIONAL_TEXT = ("title", "date", "case_number", "municipality", "board", "department")


def record_problem(data: Any, doc_id: str) -> str | None:
    """What is wrong with a record.json's content, or None: its schema, checked by hand
    because the record is a dataclass and a schema library would state it a second time."""
    if not isinstance(data, dict):
        return msg.RECORD_NOT_OBJECT
    for key, types in _RECORD_TYPES.items():
        if key in ("id", "sha256", "source", "format") and key not in data:
            return msg.RECORD_FIELD_MISSING.format(field=key)
        if key in data and (not isinstance(data[key], types) or isinstance(data[key], bool)):
            return msg.RECORD_FIELD_TYPE.format(field=key)
    for key in _OPTIONAL_TEXT:
        if data.get(key) is not None and not isinstance(data[key], str):
            return msg.RECORD_FIELD_TYPE.format(field=key)
    if data.get("year") is not None and not isinstance(data["year"], int):
        return msg.RECORD_FIELD_TYPE.format(field="year")
    if data["id"] != doc_id or not str(data["sha256"]).startswith(doc_id):
        return msg.RECORD_WRONG_ID.format(id=data["id"], folder=doc_id)
    return None


def text_problem(data: Any) -> str | None:
    """What is wrong with a text.json's content, or None."""
    if not isinstance(data, dict) or not isinstance(data.get("pages"), list):
        return msg.TEXT_NOT_OBJECT
    for page in data["pages"]:
        if (
            not isinstance(page, dict)
            or not isinstance(page.get("number"), int)
            or not isinstance(page.get("text"), str)
        ):
            return msg.TEXT_BAD_PAGE
    return None
