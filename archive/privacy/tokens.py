"""Identity numbers in a form that finds a document without showing the number.

The index holds, for each personnummer in a document, HMAC-SHA256 of its 12 digits under a key
kept in the archive (mode 0600). A plain hash would not do: there are only some 10^9 valid
numbers, a minute's work to try them all. Without the key a token says nothing; with it, a
registrar's `search --personal 19811218-9876` computes the same token and finds the documents.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from archive.errors import DiariumError
from archive.privacy.detect import identity_number

KEY_FILE = "privacy.key"
TOKEN_PREFIX = "pn"


def key_path(root: Path) -> Path:
    return root / KEY_FILE


def archive_key(root: Path) -> bytes:
    """The archive's key, made on first use by whoever needs it first (indexing or a search)."""
    path = key_path(root)
    key = _read_key(path)
    if key is not None:
        return key
    root.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{KEY_FILE}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, secrets.token_hex(32).encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(temporary, path)  # never replaces a key another process made meanwhile
    except FileExistsError:
        pass
    finally:
        temporary.unlink(missing_ok=True)
    key = _read_key(path)
    if key is None:
        raise DiariumError(f"{path}: nyckeln för personnummer kunde inte skapas")
    return key


def _read_key(path: Path) -> bytes | None:
    try:
        return bytes.fromhex(path.read_text("ascii").strip())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise DiariumError(f"{path}: nyckeln för personnummer kan inte läsas ({exc})") from None


def token(key: bytes, digits12: str) -> str:
    return TOKEN_PREFIX + hmac.new(key, digits12.encode("ascii"), hashlib.sha256).hexdigest()[:32]


def token_of(key: bytes, value: str) -> str:
    """The token of a number as a person types it, in any of its forms."""
    checked = identity_number(value)
    if checked is None:
        raise DiariumError(
            f"{value!r} är inget giltigt personnummer eller samordningsnummer "
            "(datum och kontrollsiffra stämmer inte)"
        )
    return token(key, checked[1])
