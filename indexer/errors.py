"""Errors the search index raises; each message is one line a user can act on."""

from __future__ import annotations

from archive.errors import DiariumError


class SearchIndexError(DiariumError):
    """Base of everything the index reports to a caller (the CLI prints it as one line)."""


class QueryError(SearchIndexError, ValueError):
    """The query text cannot be read (unbalanced quotes, unknown field, bad range...)."""


class IndexUnavailable(SearchIndexError):
    """There is no usable index: missing, built by another version, or damaged.

    Never answered by creating an empty index in its place: `diarium reindex` rebuilds it from the
    archive, which is the truth.
    """


class IndexBusy(SearchIndexError):
    """Another process kept the index's write lock for longer than the bounded wait."""


class IndexWarning(UserWarning):
    """The index answers, but less well than it could until `diarium reindex` rebuilds it."""
