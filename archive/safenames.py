"""Names from outside (file names, titles read from a document) made safe to store and print.

A file name is bytes: on Linux anything but `/` and NUL, so a Latin-1 `protokoll-\xe5r.pdf` from
an old file server is not UTF-8 and cannot go into record.json as it is, and a name with terminal
escape sequences (`\x1b]0;...`) must not reach a terminal raw. Bytes that are not UTF-8 are
kept as `\\xe5`; control characters (and the bidirectional overrides that make a name read
backwards) are printed as `\\x1b` / `\\u202e`.
"""

from __future__ import annotations

import os
import re

# C0 and C1 controls, DEL, and the bidirectional embedding, override and isolate characters.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# What os.fsdecode makes of bytes that are not UTF-8.
_SURROGATES = re.compile("[\udc80-\udcff]")


def source_name(name: str) -> str:
    """A file name as stored: valid UTF-8, with the bytes that were not shown as `\\xNN`."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """Text safe to print on a terminal: undecodable bytes and control characters escaped."""
    if not text:
        return text
    text = source_name(text) if _SURROGATES.search(text) else text

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        if keep_newlines and char in "\n\t":
            return char
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _UNSAFE.sub(escape, text)
