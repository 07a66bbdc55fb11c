"""Errors a user can cause; the CLI prints their message as one line, never a traceback."""


class DiariumError(Exception):
    """Base of every error whose message is meant for the person at the terminal."""


class ExtractionError(DiariumError):
    """A file could not be read as a document; the message is the reason, e.g. "empty file"."""


class NotFound(DiariumError):
    """No document in the archive has that id (or the id prefix is ambiguous)."""
