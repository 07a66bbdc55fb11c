"""Analysing the documents of a rebuild on every core.

The analysis (fields.analyse: tokens, stems, compound parts, folded forms, phrases) is pure
Python and holds one core, while an engine written in Rust indexes on threads of its own. A
rebuild of many documents therefore hands the analysis to worker processes, a bounded number
of batches in flight so memory stays flat however large the archive, and takes the results
back in the documents' order, so a rebuild indexes the same documents in the same order as
analysing them here would.

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


def _prepare_batch(prepare: Callable[[Analysed], Any], docs: list[IndexDoc]) -> list[Any]:
    return [prepare(analyse(doc)) for doc in docs]


def prepared(
    docs: Iterable[IndexDoc],
    prepare: Callable[[Analysed], Any],
    *,
    workers: int,
) -> Iterator[Any]:
    """prepare(analyse(doc)) of each document, in order, in `workers` processes (0: here).

    `prepare` is what an engine makes of an analysed document (picklable, module-level)."""
    if workers < 1:
        for doc in docs:
            yield prepare(analyse(doc))
        return
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    pending: deque[Future[list[Any]]] = deque()
    source = iter(docs)
    try:
        while batch := list(islice(source, BATCH_DOCS)):
            pending.append(pool.submit(_prepare_batch, prepare, batch))
            if len(pending) >= IN_FLIGHT * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
