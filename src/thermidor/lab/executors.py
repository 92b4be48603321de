"""Where runs execute: this process, local worker processes, or a Dask cluster.

Every executor is a context manager with one method, ``map_unordered(fn, items)``, which yields
``(index, fn(items[index]))`` as each finishes. Executors only decide where a pure function runs,
so the same seeds give the same bytes whichever is used, with however many workers.

    with executor("dask", scheduler="tcp://10.0.0.5:8786") as ex:
        for i, out in ex.map_unordered(fn, items): ...
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar

from thermidor.lab.errors import LabError

T = TypeVar("T")
R = TypeVar("R")
KINDS = ("local", "dask")
CONNECT_TIMEOUT_S = 5


class Executor(Protocol):
    name: str

    @property
    def workers(self) -> int: ...

    def map_unordered(
        self, fn: Callable[[T], R], items: Sequence[T]
    ) -> Iterator[tuple[int, R]]: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


MAX_WORKERS = 256


def check_workers(workers: Any) -> int:
    """A worker count in [1, MAX_WORKERS] (None: ``default_workers()``)."""
    n = default_workers() if workers is None else workers
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_WORKERS:
        raise LabError("workers", workers, f"a whole number in [1, {MAX_WORKERS}]")
    return n


class Stopped(Exception):
    """An executor was told to stop: the items it had not started are not run."""


class Serial:
    """Runs everything in this process, in order (one worker: no pool to start). With ``stop``
    (a ``threading.Event``, set from another thread), it stops before the next item once the
    event is set: :class:`Stopped` is raised from ``map_unordered``, the items done are kept."""

    name = "serial"

    def __init__(self, stop: threading.Event | None = None) -> None:
        self.stop = stop

    @property
    def workers(self) -> int:
        return 1

    def map_unordered(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[tuple[int, R]]:
        for i, item in enumerate(items):
            if self.stop is not None and self.stop.is_set():
                raise Stopped(f"stopped after {i} of {len(items)}")
            yield i, fn(item)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def _watch_parent(parent: int) -> None:
    """In a worker: exit when the coordinator is gone (even killed with SIGKILL), so no orphan
    keeps computing, or writes after the next coordinator has started."""

    def watch() -> None:
        while True:
            time.sleep(0.5)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="watch-coordinator").start()


class Local:
    """A pool of local worker processes. On Linux they fork from this process: they start at
    once, need no ``if __name__ == "__main__"`` guard, and run exactly the code loaded here
    (and so stamp the same source hash); elsewhere they are spawned."""

    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        self._workers = check_workers(workers)
        self._pool: ProcessPoolExecutor | None = None

    @property
    def workers(self) -> int:
        return self._workers

    def __enter__(self) -> Self:
        ctx = mp.get_context("fork" if sys.platform == "linux" else "spawn")
        self._pool = ProcessPoolExecutor(
            max_workers=self._workers,
            mp_context=ctx,
            initializer=_watch_parent,
            initargs=(os.getpid(),),
        )
        return self

    def __exit__(self, kind: object, value: object, tb: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=kind is None, cancel_futures=True)
            self._pool = None

    def map_unordered(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[tuple[int, R]]:
        if self._pool is None:
            raise RuntimeError("use the executor in a with-block")
        # at most a few tasks queued per worker: a kill loses little, and memory stays flat
        pending: dict[Future[R], int] = {}
        queue = iter(enumerate(items))
        window = self._workers * 2
        for i, item in queue:
            pending[self._pool.submit(fn, item)] = i
            if len(pending) >= window:
                break
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                i = pending.pop(f)
                yield i, f.result()
                nxt = next(queue, None)
                if nxt is not None:
                    pending[self._pool.submit(fn, nxt[1])] = nxt[0]


class Dask:
    """A Dask distributed cluster: the one at ``scheduler`` (``dask scheduler``; workers joined
    with ``dask worker ADDRESS``), or a LocalCluster of ``workers`` processes started here."""

    name = "dask"

    def __init__(self, scheduler: str | None = None, workers: int | None = None) -> None:
        if workers is not None and (
            isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
        ):
            raise LabError("workers", workers, "a whole number >= 1")
        self.scheduler = scheduler
        self._n = workers
        self._cluster: Any = None
        self.client: Any = None

    @property
    def workers(self) -> int:
        if self.client is None:
            return self._n or 0
        return len(self.client.scheduler_info().get("workers", {}))

    def __enter__(self) -> Self:
        from distributed import Client, LocalCluster

        if self.scheduler:
            self.client = connect(self.scheduler)
        else:
            self._cluster = LocalCluster(
                n_workers=self._n or default_workers(),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            self.client = Client(self._cluster)
        return self

    def __exit__(self, kind: object, value: object, tb: object) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def map_unordered(self, fn: Callable[[T], R], items: Sequence[T]) -> Iterator[tuple[int, R]]:
        from distributed import as_completed

        if self.client is None:
            raise RuntimeError("use the executor in a with-block")
        futures = [self.client.submit(fn, item, pure=False) for item in items]
        where = {f.key: i for i, f in enumerate(futures)}
        try:
            for f in as_completed(futures):
                yield where[f.key], f.result()
                f.release()
        finally:
            for f in futures:
                f.cancel()


def connect(address: str) -> Any:
    """A Dask client for a running scheduler, or a LabError naming the address."""
    from distributed import Client

    try:
        try:
            return Client(address, timeout=CONNECT_TIMEOUT_S)
        except AssertionError:
            # distributed's handshake occasionally reads a batch instead of its one greeting
            # (``assert len(msg) == 1`` in Client._ensure_connected); a second try succeeds
            return Client(address, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError, AssertionError) as e:
        raise LabError(
            "scheduler",
            address,
            "the address of a running Dask scheduler such as tcp://10.0.0.5:8786 "
            f"(start one with `dask scheduler`); {type(e).__name__}: "
            + (str(e).splitlines() or [""])[0][:120],
        ) from None


def executor(
    kind: str | None = None, workers: int | None = None, scheduler: str | None = None
) -> Executor:
    """The executor by name (default: Dask if a scheduler is given, else local processes).
    One local worker runs in this process."""
    if kind is None:
        kind = "dask" if scheduler else "local"
    if kind not in KINDS:
        raise LabError("executor", kind, f"one of {', '.join(KINDS)}")
    if scheduler and kind != "dask":
        raise LabError("scheduler", scheduler, "a scheduler only with the dask executor")
    if workers is not None:
        check_workers(workers)
    if kind == "dask":
        return Dask(scheduler, workers)
    if workers == 1:
        return Serial()
    return Local(workers)
