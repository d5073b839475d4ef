"""The query processes, and the scheduler that shares them fairly among clients.

Each process (`kgtool.server.worker`) answers one job at a time. A job that runs past the time
limit gets its process killed (pyoxigraph cannot be interrupted otherwise) and a fresh process
started in its place, so one pathological query holds one process for at most `timeout`
seconds.

Scheduling. A job comes from a client (its address) in a lane: `CHEAP` for the jobs the server
knows to be cheap (named queries, entity pages, descriptions, lookups), `OPEN` for any other
query. Three rules keep the cheap work answered while expensive work runs:

- open jobs never hold the last `reserve` processes: those stay free for cheap jobs;
- a client holds at most `per_client` processes at once and has at most `queue` jobs waiting
  (one more gets 429 at once, with Retry-After);
- waiting jobs are served client by client, in turn, not first come first served: a client
  that sends many jobs waits behind itself, not in front of the others.

A job that waits longer than `timeout` for a process gets 503. The pool starts a few processes
and starts more, up to `size`, while jobs wait for one.

Updates change every process's store: with no job running, one process fetches what the
update LOADs (once: `FetchJob`) and runs it first (so a malformed or endless update is caught
once), then the others apply it; the updates are logged so that a process started later
replays them, without fetching anything again.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
import sys
from collections import Counter, OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from multiprocessing.process import BaseProcess

from kgtool.errors import KgtoolError
from kgtool.server.worker import FetchJob, Job, Reply, Settings, UpdateJob, main

#: How long a new query process may take to load the graph.
START_TIMEOUT = 120.0
#: After a process failed to start, no other is started for this long (not a storm of them).
RETRY_START = 5.0
CHEAP = "cheap"
OPEN = "open"


class PoolError(KgtoolError):
    """A job could not be answered: `status` and the message say why (time, memory, load)."""

    def __init__(self, status: int, message: str, *, retry_after: int | None = None) -> None:
        self.status = status
        self.retry_after = retry_after
        super().__init__(message)


class _Process:
    """One query process and the parent's end of its pipe."""

    def __init__(self, settings: Settings) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process: BaseProcess = context.Process(
            target=main, args=(child, settings), name="kgtool-query", daemon=True
        )
        self.process.start()
        child.close()

    async def receive(self, timeout: float | None) -> Reply:
        """The next reply, waiting without blocking the loop; `TimeoutError` after `timeout`,
        `EOFError` if the process died."""
        loop = asyncio.get_running_loop()
        readable: asyncio.Future[None] = loop.create_future()
        fd = self.conn.fileno()

        def ready() -> None:
            if not readable.done():
                readable.set_result(None)

        loop.add_reader(fd, ready)
        try:
            async with asyncio.timeout(timeout):
                await readable
        finally:
            loop.remove_reader(fd)
            # uvloop makes a watched descriptor non-blocking; the pipe's reads and writes
            # expect a blocking one (a reply larger than the pipe's buffer arrives in parts).
            os.set_blocking(fd, True)
        reply = self.conn.recv()
        if not isinstance(reply, Reply):
            raise EOFError("unexpected message from a query process")
        return reply

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.process.kill()
        self.conn.close()
        self.process.join(timeout=5)

    def death(self) -> str:
        """Why the process ended, for the message."""
        self.process.join(timeout=5)
        code = self.process.exitcode
        if code is not None and code < 0 and -code in (signal.SIGABRT, signal.SIGKILL):
            return "it ran out of memory"
        return f"its process ended (exit code {code})"


@dataclass(eq=False)
class _Waiter:
    client: str
    lane: str
    granted: asyncio.Future[_Process]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Pool:
    """Up to `size` query processes, each loading the graph with `settings`, shared as the
    module docstring says."""

    def __init__(
        self,
        settings: Settings,
        size: int,
        timeout: float,
        *,
        per_client: int | None = None,
        queue: int = 8,
        log: Callable[[str], None] = _stderr,
    ) -> None:
        self.settings = settings
        self.size = max(1, size)
        self.timeout = timeout
        self.reserve = 1 if self.size > 1 else 0
        self.per_client = per_client or max(1, (self.size - self.reserve) // 2)
        self.queue = queue
        self.log = log
        #: Processes stopped for running too long or dying, and started again.
        self.restarts = 0
        self._live: set[_Process] = set()
        self._idle: list[_Process] = []
        self._spawning: set[asyncio.Task[None]] = set()
        self._waiting: OrderedDict[str, deque[_Waiter]] = OrderedDict()
        self._held: Counter[str] = Counter()
        self._open = 0
        self._draining = False
        self._updating = asyncio.Lock()
        self._closed = False
        self._failed_at = float("-inf")

    async def start(self) -> None:
        """Start the first processes and wait until each has loaded the graph."""
        first = min(self.size, self.reserve + 2)
        await asyncio.gather(*(self._spawn() for _ in range(first)))

    # -- processes ------------------------------------------------------------------------

    async def _spawn(self) -> None:
        process = _Process(self.settings)
        try:
            hello = await process.receive(START_TIMEOUT)
        except (TimeoutError, EOFError, OSError) as error:
            process.kill()
            raise PoolError(500, f"a query process did not start: {error!r}") from None
        if hello.status != 200:
            process.kill()
            raise PoolError(500, hello.body.decode("utf-8", "replace").strip())
        if self._closed:
            process.kill()
            return
        self._live.add(process)
        self._idle.append(process)
        self._dispatch()

    def _grow(self) -> None:
        """Start one more process in the background."""
        task = asyncio.get_running_loop().create_task(self._spawn())
        self._spawning.add(task)
        task.add_done_callback(self._spawned)

    def _spawned(self, task: asyncio.Task[None]) -> None:
        self._spawning.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.log(f"kgtool serve: {task.exception()}")
            self._failed_at = asyncio.get_running_loop().time()
        if not self._closed:
            self._dispatch()

    def _replace(self, process: _Process, why: str) -> None:
        """Kill `process` and start another in its place."""
        self._live.discard(process)
        with contextlib.suppress(ValueError):
            self._idle.remove(process)
        pid = process.process.pid
        process.kill()
        if self._closed:
            return
        self.restarts += 1
        self.log(f"kgtool serve: query process {pid} stopped ({why}); starting another")
        self._grow()

    # -- scheduling -----------------------------------------------------------------------

    def _dispatch(self) -> None:
        """Give idle processes to waiting jobs, as the module docstring says; start another
        process if a job that may run waits for want of one."""
        if self._draining or self._closed:
            return
        while self._idle:
            waiter = self._next()
            if waiter is None:
                break
            process = self._idle.pop()
            self._held[waiter.client] += 1
            self._open += waiter.lane == OPEN
            waiter.granted.set_result(process)
        wanting = any(
            self._held[client] < self.per_client and any(not w.granted.done() for w in queue)
            for client, queue in self._waiting.items()
        )
        recently_failed = asyncio.get_running_loop().time() - self._failed_at < RETRY_START
        if wanting and len(self._live) + len(self._spawning) < self.size and not recently_failed:
            self._grow()

    def _next(self) -> _Waiter | None:
        """The next job to run: clients in turn, each one's jobs in order."""
        for client in list(self._waiting):
            queue = self._waiting[client]
            while queue and queue[0].granted.done():
                queue.popleft()
            if not queue:
                del self._waiting[client]
                continue
            if self._held[client] >= self.per_client:
                continue
            for waiter in queue:
                open_full = self._open >= len(self._live) - self.reserve
                if not waiter.granted.done() and not (waiter.lane == OPEN and open_full):
                    queue.remove(waiter)
                    if queue:
                        self._waiting.move_to_end(client)
                    else:
                        del self._waiting[client]
                    return waiter
        return None

    async def _acquire(self, client: str, lane: str) -> _Process:
        queue = self._waiting.get(client)
        if queue is not None and sum(not w.granted.done() for w in queue) >= self.queue:
            raise PoolError(
                429,
                f"too many queries from {client or 'one client'} at once: a client runs at most "
                f"{self.per_client} at a time and {self.queue} wait; wait for the answers "
                "before sending more",
                retry_after=1,
            )
        waiter = _Waiter(client, lane, asyncio.get_running_loop().create_future())
        self._waiting.setdefault(client, deque()).append(waiter)
        self._dispatch()
        try:
            async with asyncio.timeout(self.timeout):
                return await asyncio.shield(waiter.granted)
        except BaseException as error:
            if waiter.granted.done() and not waiter.granted.cancelled():
                self._release(waiter.granted.result(), client, lane)  # granted meanwhile
            else:
                waiter.granted.cancel()
            if isinstance(error, TimeoutError):
                raise PoolError(
                    503,
                    "the server is busy: no query process was free for "
                    f"{self.timeout:g} s; try again",
                    retry_after=max(1, int(self.timeout)),
                ) from None
            raise

    def _release(self, process: _Process, client: str, lane: str) -> None:
        self._held[client] -= 1
        if self._held[client] <= 0:
            del self._held[client]
        self._open -= lane == OPEN
        if process in self._live:
            self._idle.append(process)
        self._dispatch()

    async def _call(self, process: _Process, job: Job, timeout: float) -> Reply:
        """Send `job` to `process` (which the caller holds) and wait at most `timeout` s."""
        try:
            process.conn.send(job)
            return await process.receive(timeout)
        except TimeoutError:
            self._replace(process, f"its query ran past {timeout:g} s")
            raise PoolError(
                422,
                f"the query was stopped after {timeout:g} s (the server's --timeout): "
                "make it more selective, or add a LIMIT",
            ) from None
        except (EOFError, OSError):
            why = process.death()
            self._replace(process, why)
            raise PoolError(422, f"the query was stopped: {why}") from None

    async def run(self, job: Job, *, client: str = "", lane: str = OPEN) -> Reply:
        """Answer a job in a process, when the scheduler gives one to `client` for `lane`;
        raises `PoolError` (too many from this client, busy, time, memory)."""
        process = await self._acquire(client, lane)
        try:
            return await self._call(process, job, self.timeout)
        finally:
            self._release(process, client, lane)

    # -- updates --------------------------------------------------------------------------

    async def update(self, job: UpdateJob, on_success: Callable[[], None]) -> Reply:
        """Apply an update to every process, one after another, with no job running."""
        async with self._updating:
            self._draining = True
            try:
                while self._held or self._spawning:
                    await asyncio.sleep(0.02)
                processes = list(self._live)
                if not processes:
                    raise PoolError(503, "no query process is running; try again", retry_after=1)
                fetched = await self._call(processes[0], FetchJob(job), self.timeout)
                if fetched.status >= 300:
                    return fetched
                job = replace(job, text=fetched.body.decode("utf-8"))
                first = await self._call(processes[0], job, self.timeout)
                if first.status >= 300:
                    return first
                self.settings = replace(self.settings, updates=(*self.settings.updates, job))
                on_success()
                for process in processes[1:]:
                    with contextlib.suppress(PoolError):
                        # A process that fails here is replaced, and its successor replays
                        # the log, which holds this update now.
                        await self._call(process, job, self.timeout * 10)
                return first
            finally:
                self._draining = False
                self._dispatch()

    async def close(self) -> None:
        """Stop every process (their in-memory stores need no saving)."""
        self._closed = True
        for task in list(self._spawning):
            task.cancel()
        for waiters in self._waiting.values():
            for waiter in waiters:
                waiter.granted.cancel()
        for process in list(self._live):
            process.kill()
        self._live.clear()
        self._idle.clear()
