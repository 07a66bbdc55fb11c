"""Reading and analysing the documents of a rebuild on every core.

Reading a document (its record, pages and furniture, masked: indexer.archive_sync) and the
analysis (fields.analyse: tokens, stems, compound parts, folded forms, phrases) are pure
Python and hold one core, while an engine written in Rust indexes on threads of its own. A
rebuild of many documents therefore hands both to worker processes, a bounded number of
batches in flight so memory stays flat however large the archive, and takes the results back
in the documents' order, so a rebuild indexes the same documents in the same order as doing
it all here would.

Workers are started with "spawn", not "fork": a fork copies whatever threads and locks the
parent holds at that moment (a web server's, an engine writer's), spawn starts clean. Each
worker reads the same lexicon and data as this process (the environment is inherited).
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import Any

from indexer.fields import Analysed, analyse
from indexer.model import IndexDoc

# Below this many documents starting the workers (about half a second each, importing the
# indexer and reading the lexicon) costs more than it saves.
PARALLEL_MIN_DOCS = 5_000
# Documents sent to a worker at a time: large enough that pickling them costs little against
# analysing them, small enough that a worker's batch is some megabytes.
BATCH_DOCS = 64
# Batches in flight per worker: enough that no worker waits for the next one.
IN_FLIGHT = 3


def workers_for(total: int | None) -> int:
    """Worker processes for a rebuild of `total` documents (0: analyse here)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if (cores or 1) < 2 or total is None or total < PARALLEL_MIN_DOCS:
        return 0
    return cores or 1


Load = Callable[[Any], IndexDoc | None]


def loaded(items: Iterable[Any], load: Load | None) -> Iterator[IndexDoc]:
    """The documents `items` are, or that `load` reads from them (leaving out those gone)."""
    return iter(items) if load is None else filter(None, map(load, items))


def _prepare_batch(prepare: Callable[[Analysed], Any], load: Load | None, items: Any) -> list[Any]:
    return [prepare(analyse(doc)) for doc in loaded(items, load)]


def prepared(
    items: Iterable[Any],
    prepare: Callable[[Analysed], Any],
    *,
    workers: int,
    load: Load | None = None,
) -> Iterator[Any]:
    """prepare(analyse(doc)) of each document, in order, in `workers` processes (0: here).

    `items` are the documents, or what `load` reads each one from (an id; None: it is gone,
    and left out). `prepare` is what an engine makes of an analysed document; `prepare` and
    `load` are picklable (module-level functions, or objects of picklable values)."""
    if workers < 1:
        yield from map(prepare, map(analyse, loaded(items, load)))
        return
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    pending: deque[Future[list[Any]]] = deque()
    source = iter(items)
    try:
        while batch := list(islice(source, BATCH_DOCS)):
            pending.append(pool.submit(_prepare_batch, prepare, load, batch))
            if len(pending) >= IN_FLIGHT * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
