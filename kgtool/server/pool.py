"""A pool of query processes that the event loop talks to through pipes, without threads.

Each process (`kgtool.server.worker`) answers one job at a time. A job that runs past the time
limit gets its process killed (pyoxigraph cannot be interrupted otherwise) and a fresh process
started in its place, so one pathological query holds one process for at most `timeout`
seconds while the others keep answering.

Updates change every process's store: one process runs the update first (so a malformed or
endless update is caught once), then the others apply it, while no query runs; the updates
are logged so that a replacement process replays them when it starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
from collections.abc import Callable
from dataclasses import replace
from multiprocessing.process import BaseProcess

from kgtool.errors import KgtoolError
from kgtool.server.worker import Job, Reply, Settings, UpdateJob, main

#: How long a new query process may take to load the graph.
START_TIMEOUT = 120.0


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


class Pool:
    """`size` query processes, each loading the graph with `settings`."""

    def __init__(self, settings: Settings, size: int, timeout: float) -> None:
        self.settings = settings
        self.size = max(1, size)
        self.timeout = timeout
        self._idle: asyncio.Queue[_Process] = asyncio.Queue()
        self._all: set[_Process] = set()
        self._updating = asyncio.Lock()
        self._spawning: set[asyncio.Task[None]] = set()
        self._closed = False

    async def start(self) -> None:
        """Start every process and wait until each has loaded the graph."""
        await asyncio.gather(*(self._spawn() for _ in range(self.size)))

    async def _spawn(self) -> None:
        process = _Process(self.settings)
        self._all.add(process)
        try:
            hello = await process.receive(START_TIMEOUT)
        except (TimeoutError, EOFError, OSError) as error:
            self._discard(process)
            raise PoolError(500, f"a query process did not start: {error!r}") from None
        if hello.status != 200:
            self._discard(process)
            raise PoolError(500, hello.body.decode("utf-8", "replace").strip())
        if self._closed:
            self._discard(process)
        else:
            self._idle.put_nowait(process)

    def _replace(self, process: _Process) -> None:
        """Kill `process` and start another in the background."""
        self._discard(process)
        if self._closed:
            return
        task = asyncio.get_running_loop().create_task(self._spawn())
        self._spawning.add(task)
        task.add_done_callback(self._spawning.discard)

    def _discard(self, process: _Process) -> None:
        self._all.discard(process)
        process.kill()

    async def _acquire(self) -> _Process:
        try:
            async with asyncio.timeout(self.timeout):
                return await self._idle.get()
        except TimeoutError:
            raise PoolError(
                503,
                "the server is busy: every query process stayed occupied for "
                f"{self.timeout:g} s; try again",
                retry_after=max(1, int(self.timeout)),
            ) from None

    async def _call(self, process: _Process, job: Job, timeout: float) -> Reply:
        """Send `job` to `process` (which the caller holds) and wait at most `timeout` s."""
        try:
            process.conn.send(job)
            return await process.receive(timeout)
        except TimeoutError:
            self._replace(process)
            raise PoolError(
                422,
                f"the query was stopped after {timeout:g} s (the server's --timeout): "
                "make it more selective, or add a LIMIT",
            ) from None
        except (EOFError, OSError):
            why = process.death()
            self._replace(process)
            raise PoolError(422, f"the query was stopped: {why}") from None

    def _release(self, process: _Process) -> None:
        if process in self._all:
            self._idle.put_nowait(process)

    async def run(self, job: Job) -> Reply:
        """Answer a job in the first free process; raises `PoolError` (busy, time, memory)."""
        process = await self._acquire()
        try:
            return await self._call(process, job, self.timeout)
        finally:
            self._release(process)

    async def update(self, job: UpdateJob, on_success: Callable[[], None]) -> Reply:
        """Apply an update to every process, one after another, with no query running."""
        async with self._updating:
            held = [await self._acquire() for _ in range(self.size)]
            try:
                first = await self._call(held[0], job, self.timeout)
                if first.status >= 300:
                    return first
                self.settings = replace(self.settings, updates=(*self.settings.updates, job.text))
                on_success()
                for process in held[1:]:
                    with contextlib.suppress(PoolError):
                        # A process that fails here is replaced, and its successor replays
                        # the log, which holds this update now.
                        await self._call(process, job, self.timeout * 10)
                return first
            finally:
                for process in held:
                    self._release(process)

    async def close(self) -> None:
        """Stop every process (their in-memory stores need no saving)."""
        self._closed = True
        for task in list(self._spawning):
            task.cancel()
        for process in list(self._all):
            self._discard(process)
