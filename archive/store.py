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
import hashlib
import json
import os
import shutil
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
import yaml

from archive import messages as msg
from archive.catalogue import Catalogue
from archive.document import Document
from archive.errors import DiariumError, NotFound
from archive.journal import CHANGED, STORED, Journal
from archive.metadata import profiles
from archive.metadata.profiles import Profiles
from archive.model import Extraction, Page

if TYPE_CHECKING:
    from archive.ocr_stored import OcrReport

ID_LENGTH = 16


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
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


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
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except OSError as exc:
            reason = msg.os_error(exc)
            raise DiariumError(f"{path}: inställningarna går inte att läsa: {reason}") from None
        except yaml.YAMLError as exc:
            raise DiariumError(f"{path}: {msg.yaml_error(exc)}") from None
        if not isinstance(data, dict):
            raise DiariumError(f"{path}: inställningarna måste vara en mappning nyckel: värde")
        return data

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
        return self.documents_dir / doc_id[:2] / doc_id

    def resolve(self, doc_id: str) -> str:
        """A full id from a unique prefix, as git takes short hashes."""
        doc_id = doc_id.strip().lower()
        if len(doc_id) >= ID_LENGTH and self.contains(doc_id):
            return doc_id[:ID_LENGTH]
        if len(doc_id) < 4 or any(c not in "0123456789abcdef" for c in doc_id):
            raise NotFound(f"inget dokument {doc_id!r} (id:n är hexadecimala, minst 4 tecken)")
        shard = self.documents_dir / doc_id[:2]
        matches = sorted(p.name for p in shard.glob(doc_id + "*") if (p / "record.json").is_file())
        if not matches:
            raise NotFound(f"inget dokument {doc_id!r} i {self.root}")
        if len(matches) > 1:
            raise NotFound(f"id:t {doc_id!r} är tvetydigt: {', '.join(matches[:5])}")
        return matches[0]

    def get(self, doc_id: str) -> Document:
        folder = self._folder(self.resolve(doc_id))
        return Document.from_dict(json.loads((folder / "record.json").read_text("utf-8")))

    def contains(self, sha256: str) -> bool:
        return (self._folder(sha256[:ID_LENGTH]) / "record.json").is_file()

    def _text_data(self, doc_id: str) -> dict[str, Any]:
        folder = self._folder(self.resolve(doc_id))
        return json.loads((folder / "text.json").read_text("utf-8"))

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
            for folder in sorted(shard.iterdir()):
                if (folder / "record.json").is_file():
                    yield folder.name

    def documents(self) -> Iterator[Document]:
        for doc_id in self.ids():
            yield self.get(doc_id)

    def __len__(self) -> int:
        return sum(1 for _ in self.ids())

    @property
    def catalogue(self) -> Catalogue:
        """The records' listing columns in SQLite, following the journal (archive/catalogue.py)."""
        return Catalogue(self)

    def listing(
        self, *, kind: str | None = None, municipality: str | None = None, year: int | None = None
    ) -> list[dict[str, Any]]:
        """Each document's listing columns (catalogue.COLUMNS), oldest date first; filtered by
        kind, municipality (any case) and year."""
        return self.catalogue.list(kind=kind, municipality=municipality, year=year)

    def stats(self) -> dict[str, Any]:
        kinds: Counter[str] = Counter()
        municipalities: Counter[str] = Counter()
        years: Counter[str] = Counter()
        formats: Counter[str] = Counter()
        flags: Counter[str] = Counter()
        documents = pages = size = 0
        ocr_documents = ocr_pages = uncertain = 0
        confidences: list[float] = []
        for doc in self.documents():
            documents += 1
            pages += doc.pages
            size += doc.size
            kinds[doc.kind] += 1
            municipalities[doc.municipality or "okänd kommun"] += 1
            years[str(doc.year) if doc.year else "okänt år"] += 1
            formats[doc.format] += 1
            flags.update(doc.flags)
            read = (doc.ocr or {}).get("pages", [])
            if read:
                ocr_documents += 1
                ocr_pages += len(read)
                uncertain += sum(1 for p in read if p.get("uncertain"))
                confidences += [p["confidence"] for p in read if p.get("confidence") is not None]
        return {
            "archive": str(self.root),
            "documents": documents,
            "pages": pages,
            "bytes": size,
            "kind": dict(kinds.most_common()),
            "municipality": dict(municipalities.most_common()),
            "year": dict(sorted(years.items())),
            "format": dict(formats.most_common()),
            "flags": dict(flags.most_common()),
            "ocr": {
                "documents": ocr_documents,
                "pages": ocr_pages,
                "uncertain_pages": uncertain,
                "mean_confidence": (
                    round(sum(confidences) / len(confidences), 1) if confidences else None
                ),
            },
        }

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
        folder = self._folder(self.resolve(doc_id))
        record = json.loads((folder / "record.json").read_text("utf-8"))
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
        try:
            _write_synced(temporary, data)
            with self.journal.recording(CHANGED, folder.name, name):
                os.replace(temporary, folder / name)
                _fsync_dir(folder)
        finally:
            temporary.unlink(missing_ok=True)
        return folder / name

    def remove(self, doc_id: str, *, by: str | None = None, reason: str = "") -> Document:
        """Move a document into the archive's trash (see archive.trash), whole and restorable.

        `doc_id` must be the whole id or a unique prefix of at least 8 characters: a slip of
        four characters must not take out a public record. `by` defaults to the login name.
        """
        from archive.trash import Trash

        return Trash(self).put(doc_id, by=by, reason=reason)

    def restore(self, doc_id: str) -> Document:
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
