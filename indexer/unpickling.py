"""Unpickling that runs no code from the files it reads.

Following the "Restricting Globals" pattern of the Python documentation, the unpickler here finds
only the exact (module, name) pairs it is given (no dotted names, so no `os.system` through a
module's attribute); anything else is refused before it is called. Whoosh's files
(indexer/engines/whoosh/unpickling.py) and the lexicon cache (indexer/compounds.py) are read
with it.
"""

from __future__ import annotations

import pickle
import pickletools
from typing import Any, BinaryIO

from archive import messages as msg


class RefusedPickle(pickle.UnpicklingError):
    """A pickle that names something it has no business calling."""


class RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, file: BinaryIO, allowed: frozenset[tuple[str, str]]) -> None:
        super().__init__(file)
        self.allowed = allowed

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self.allowed:
            raise RefusedPickle(msg.PICKLE_REFUSED.format(call=f"{module}.{name}"))
        return super().find_class(module, name)


def globals_in(obj: object) -> frozenset[tuple[str, str]]:
    """Every (module, name) that pickling `obj` refers to: exactly what reading it back needs."""
    found = set()
    for opcode, arg, _ in pickletools.genops(pickle.dumps(obj, protocol=2)):
        if opcode.name == "GLOBAL":
            module, name = str(arg).split(" ", 1)
            found.add((module, name))
    return frozenset(found)
