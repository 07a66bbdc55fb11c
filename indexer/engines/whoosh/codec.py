"""How the index's posting blocks are stored: Whoosh 3's codec with array bytes inside.

Whoosh 3 pickles each block of up to 128 postings as a tuple of ints (the id deltas) and a tuple
of floats (the weights), so reading a common word's 30,000 postings at 100,000 documents built
60,000 Python numbers before numpy got them. Here the block tuple keeps its shape, but the
deltas are array("I") bytes, differing weights array("f") bytes (the float32 Whoosh holds
them in anyway) and variable-size values (the positions a phrase is checked by) one blob with
their lengths: searching.py turns a whole posting list into arrays with a few numpy calls,
and Whoosh's own reading (its matchers, merging segments) decodes them back to what it expects.
Written by hand because no Whoosh release offers a faster block format; the subclasses only
swap the (de)minifying of ids and weights and leave the file layout to Whoosh.
"""

from __future__ import annotations

from array import array
from itertools import accumulate
from typing import Any

from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher, W3PostingsWriter
from whoosh.matching import ListMatcher
from whoosh.util.numlists import delta_encode


class BlockWriter(W3PostingsWriter):
    def _mini_ids(self) -> Any:
        if self._byteids:  # term vectors: Whoosh's own format
            return super()._mini_ids()
        return array("I", delta_encode(self._ids)).tobytes()

    def _mini_weights(self) -> Any:
        weights = super()._mini_weights()  # None when all 1.0, one float when all equal
        return array("f", weights).tobytes() if isinstance(weights, tuple) else weights

    def _mini_values(self) -> Any:
        if not _variable(self._format):
            return super()._mini_values()
        # One blob and the values' lengths, not a tuple of a bytes object per posting.
        return array("I", map(len, self._values)).tobytes(), b"".join(self._values)


class BlockMatcher(W3LeafMatcher):
    def _read_ids(self) -> None:
        if self._data is None:
            self._read_data()
        deltas = array("I")
        deltas.frombytes(self._data[0])
        self._ids = tuple(accumulate(deltas))

    def _read_values(self) -> None:
        if not _variable(self.format):
            super()._read_values()
            return
        if self._data is None:
            self._read_data()
        self._values = tuple(split_values(*self._data[2]))

    def _read_weights(self) -> None:
        if self._data is None:
            self._read_data()
        if isinstance(self._data[1], bytes):
            self._weights = array("f")
            self._weights.frombytes(self._data[1])
        else:
            super()._read_weights()


def _variable(form: Any) -> bool:
    size = form.fixed_value_size()
    return size is None or size < 0


def value_ends(lengths: bytes) -> list[int]:
    """Where each value of a block ends in its blob."""
    return list(accumulate(memoryview(lengths).cast("I")))


def split_values(lengths: bytes, blob: bytes) -> list[bytes]:
    ends = value_ends(lengths)
    return [blob[start:end] for start, end in zip([0, *ends], ends, strict=False)]


class Codec(W3Codec):
    """The codec above, and no per-block length statistics.

    Whoosh looks up the document's field length for every posting it writes, to note each
    block's shortest and longest document for its own BM25 block skipping; that lookup (or,
    for a field without lengths, a check on disk whether the length file exists) took a third
    of the indexing time. Impacts already carry the length, so nothing here needs them.
    """

    length_stats = False

    def __init__(self) -> None:
        # 512 postings a block, not Whoosh's 128: a search reads whole posting lists (it skips
        # blocks only for phrase checks), and each block costs a seek, two unpickles and a
        # decompression whatever its size.
        super().__init__(blocklimit=512)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> W3PostingsWriter:
        cls = W3PostingsWriter if byteids else BlockWriter
        return cls(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def postings_reader(
        self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None, scorer: Any = None
    ) -> Any:
        if terminfo.is_inlined():  # one posting, kept in the term dictionary as Whoosh does
            ids, weights, values = terminfo.inlined_postings()
            return ListMatcher(
                ids, weights, values, format_, scorer=scorer, term=term, terminfo=terminfo
            )
        offset, length = terminfo.extent()
        return BlockMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)
