"""The archive: originals, their extracted text and metadata. The source of truth."""

from archive.catalogue import Filters
from archive.document import Document
from archive.errors import DiariumError, ExtractionError, NotFound
from archive.store import Archive, Failure, IngestReport

__all__ = [
    "Archive",
    "DiariumError",
    "Document",
    "ExtractionError",
    "Failure",
    "Filters",
    "IngestReport",
    "NotFound",
]
