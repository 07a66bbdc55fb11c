"""Whoosh reads its files with pickle; here only with the classes they hold.

Whoosh pickles its table of contents (`_MAIN_<n>.toc`), posting blocks, term infos and stored
values, and reads them back with `pickle.load` on every open: a planted `_MAIN_1.toc` ran a shell
command on the next search, and a copy of an archive received from elsewhere carries the same
risk. `install()` puts indexer.unpickling's restricted reader in the place of `pickle.load` and
`loads` in Whoosh's modules; the pinned whoosh-reloaded (<2.8) is where these were read from.
"""

from __future__ import annotations

import io
import pickle
import sys
import types
from typing import Any, BinaryIO

from whoosh.codec.whoosh3 import W3Codec, W3Segment

from indexer.engines.whoosh.codec import Codec
from indexer.unpickling import RestrictedUnpickler, globals_in

# What Whoosh's segment files and the TOC's segment list hold (recorded from indexing,
# searching, removing, merging): the segments with their codec (a merged segment is written by
# Whoosh's own), bytes (protocol 2 pickles them through _codecs.encode) and plain containers.
# The schema's classes are added by install() from the schema itself: a writer process opens
# the index without one and unpickles it from the TOC.
SEGMENT_GLOBALS = frozenset(
    {
        *((cls.__module__, cls.__qualname__) for cls in (W3Segment, W3Codec, Codec)),
        ("collections", "defaultdict"),
        ("builtins", "int"),
        ("_codecs", "encode"),
    }
)

_allowed: frozenset[tuple[str, str]] = SEGMENT_GLOBALS


def load(file: BinaryIO, **_: Any) -> Any:
    return RestrictedUnpickler(file, _allowed).load()


def loads(data: bytes, **_: Any) -> Any:
    return RestrictedUnpickler(io.BytesIO(data), _allowed).load()


def install(schema: object) -> None:
    """Replace pickle's readers in every loaded Whoosh module (and `pickle` where a module
    calls `pickle.load` through the module) by the restricted ones, allowing the segments'
    classes and those of `schema` (the index's Whoosh schema); calling it again adds to them."""
    global _allowed
    _allowed = _allowed | globals_in(schema)
    import whoosh.codec.whoosh3
    import whoosh.columns
    import whoosh.filedb.compound
    import whoosh.filedb.structfile
    import whoosh.index
    import whoosh.multiproc  # noqa: F401 - its writer processes read job files with pickle

    shim = types.ModuleType("pickle")
    shim.__dict__.update(vars(pickle))
    shim.load, shim.loads = load, loads  # type: ignore[attr-defined]
    shim.Unpickler = RestrictedUnpickler  # type: ignore[attr-defined]
    for name, module in list(sys.modules.items()):
        if not (name == "whoosh" or name.startswith("whoosh.")) or module is None:
            continue
        for attr, value in list(vars(module).items()):
            if value is pickle.load:
                setattr(module, attr, load)
            elif value is pickle.loads:
                setattr(module, attr, loads)
            elif value is pickle:
                setattr(module, attr, shim)
