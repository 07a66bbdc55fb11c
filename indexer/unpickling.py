"""Unpickling that runs no code from the files it reads.

Whoosh pickles its table of contents (`_MAIN_<n>.toc`), posting blocks, term infos and stored
values, and reads them back with `pickle.load` on every open: a planted `_MAIN_1.toc` ran a shell
command on the next search, and a copy of an archive received from elsewhere carries the same
risk. Following the "Restricting Globals" pattern of the Python documentation, the unpickler here
finds only the exact classes those files hold (no dotted names, so no `os.system` through a
module's attribute), and anything else is refused as a damaged file, before it is called.
`install()` puts it in the place of `pickle.load`/`loads` in Whoosh's modules; the pinned
whoosh-reloaded (<2.8) is where the names below were read from.
"""

from __future__ import annotations

import io
import pickle
import pickletools
import sys
import types
from typing import Any, BinaryIO

# What Whoosh's segment files and the TOC's segment list hold (recorded from indexing,
# searching, removing, merging): the segments with their codec, bytes (protocol 2 pickles
# them through _codecs.encode) and plain containers. The schema's classes are added by
# install() from the schema itself: a writer process opens the index without one and
# unpickles it from the TOC.
SEGMENT_GLOBALS = frozenset(
    {
        ("whoosh.codec.whoosh3", "W3Segment"),
        ("whoosh.codec.whoosh3", "W3Codec"),  # a merged segment is written by it
        ("indexer.codec", "Codec"),
        ("collections", "defaultdict"),
        ("builtins", "int"),
        ("_codecs", "encode"),
    }
)


class RefusedPickle(pickle.UnpicklingError):
    """A pickle that names something it has no business calling."""


class RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, file: BinaryIO, allowed: frozenset[tuple[str, str]]) -> None:
        super().__init__(file)
        self.allowed = allowed

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self.allowed:
            raise RefusedPickle(f"filen vill anropa {module}.{name}, som inte tas emot")
        return super().find_class(module, name)


_allowed: frozenset[tuple[str, str]] = SEGMENT_GLOBALS


def globals_in(obj: object) -> frozenset[tuple[str, str]]:
    """Every (module, name) that pickling `obj` refers to: exactly what reading it back needs."""
    found = set()
    for opcode, arg, _ in pickletools.genops(pickle.dumps(obj, protocol=2)):
        if opcode.name == "GLOBAL":
            module, name = str(arg).split(" ", 1)
            found.add((module, name))
    return frozenset(found)


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
