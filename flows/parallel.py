"""Extraction mapped over article batches on a Prefect task runner, for when one core is not enough.

Threads by default; with the optional `scale` extra (prefect-dask) a Dask cluster runs the batches: local
worker processes, or workers on several machines. The batch task is pure (texts in, analyses out), so only
the calling process ever writes the SQLite database.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from flows.console import UserError
from nlp.types import Analysis, ArticleIn

DASK_ADDRESS_ENV = "FUNDWATCH_DASK_ADDRESS"  # e.g. tcp://10.0.0.5:8786, a `dask scheduler` on the network


@task(cache_policy=NO_CACHE, task_run_name="analyse-batch")
def analyse_batch(records: list[ArticleIn]) -> list[Analysis]:
    """One batch through the NLP pipeline; each worker process loads the spaCy models once."""
    from nlp.extract import analyse

    return list(analyse(records, batch_size=max(1, len(records))))


def dask_available() -> bool:
    try:
        import prefect_dask  # noqa: F401
    except ImportError:
        return False
    return True


def make_task_runner(address: str | None = None, workers: int | None = None) -> Any:
    """The Dask cluster at `address` (or $FUNDWATCH_DASK_ADDRESS), local Dask worker processes when
    prefect-dask is installed, else a thread pool."""
    address = address or os.environ.get(DASK_ADDRESS_ENV)
    workers = workers or os.cpu_count() or 1
    if not dask_available():
        if address:
            raise UserError(f"a Dask cluster ({address}) needs the optional extra: pip install 'fundwatch[scale]'")
        return ThreadPoolTaskRunner(max_workers=workers)
    from prefect_dask import DaskTaskRunner

    if address:
        return DaskTaskRunner(address=address)
    # one thread per process: spaCy and langdetect hold the GIL, processes are what run in parallel
    return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True,
                                          "dashboard_address": None})


def _batches(records: Iterable[ArticleIn], size: int) -> Iterator[list[ArticleIn]]:
    it = iter(records)
    while batch := list(islice(it, size)):
        yield batch


def analyse_in_parallel(records: Iterable[ArticleIn], batch_size: int = 32, runner: Any = None,
                        window: int = 4) -> Iterator[Analysis]:
    """One Analysis per record, in input order (as `nlp.extract.analyse` gives), with up to `window`
    batches analysed at once on `runner` (default: `make_task_runner()`); a long backlog streams through
    in bounded memory. Call it inside a flow, and make the runner there: Dask pickles the flow run context,
    including whatever the flow function closes over."""
    if batch_size < 1 or window < 1:
        raise ValueError("batch_size and window must be at least 1")
    runner = runner if runner is not None else make_task_runner()
    with runner:
        pending: deque = deque()
        for batch in _batches(records, batch_size):
            pending.append(runner.submit(analyse_batch, parameters={"records": batch}))
            if len(pending) >= window:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
