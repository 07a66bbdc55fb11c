"""Personal data and secrecy: found at ingest, masked wherever text is shown, removed for release.

The archive keeps the facts (the record's `personal_data` spans and `secrecy` marks, the key of
the identity-number tokens); the index, `show`, exports and `redact` derive what they show
from them, so masks and marks survive a rebuild of anything derived.
"""

from archive.privacy.detect import IDENTITY_KINDS, KINDS, Span, find, identity_number
from archive.privacy.masking import (
    mask_page,
    mask_spans,
    mask_string,
    mask_value,
    masked_kinds,
    placeholder,
    scan_pages,
)
from archive.privacy.secrecy import (
    SecrecyError,
    active,
    describe,
    make_mark,
    parse_pages,
    secret_pages,
    whole_document,
)
from archive.privacy.tokens import archive_key, token, token_of

__all__ = [
    "IDENTITY_KINDS",
    "KINDS",
    "SecrecyError",
    "Span",
    "active",
    "archive_key",
    "describe",
    "find",
    "identity_number",
    "make_mark",
    "mask_page",
    "mask_spans",
    "mask_string",
    "mask_value",
    "masked_kinds",
    "parse_pages",
    "placeholder",
    "scan_pages",
    "secret_pages",
    "token",
    "token_of",
    "whole_document",
]
