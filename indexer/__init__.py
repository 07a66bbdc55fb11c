"""Full-text search over the archive: Swedish analysis, query language, snippets, facets.

Only the names below are the API; no engine's type crosses it: the engines (Whoosh, tantivy)
stand behind `Index` in indexer/engines/.
"""

from indexer.errors import (
    IndexBusy,
    IndexUnavailable,
    IndexWarning,
    QueryError,
    SearchIndexError,
)
from indexer.index import Index
from indexer.model import Hit, IndexDoc, SearchResult

__all__ = [
    "Hit",
    "Index",
    "IndexBusy",
    "IndexDoc",
    "IndexUnavailable",
    "IndexWarning",
    "QueryError",
    "SearchIndexError",
    "SearchResult",
]
