"""Answers kept for identical requests, and identical requests in flight answered once.

The graph is read-only (or, with updates on, the cache is emptied by every update), so an
answer is a function of the request: the query text, the dataset and the media type. Volatile
queries (NOW(), RAND(), SERVICE...) are never cached; see `kgtool.server.guard.Scan.volatile`.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable

from kgtool.server.worker import Reply


class Cache:
    """Successful replies by key, least recently used dropped first, at most `budget` bytes.

    `budget` 0 turns caching off, but identical requests in flight still share one run.
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Hashable, Reply] = OrderedDict()
        self._flying: dict[Hashable, asyncio.Future[Reply]] = {}

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[Reply]]) -> Reply:
        """The reply for `key`: kept, being computed for another request, or computed now."""
        kept = self._entries.get(key)
        if kept is not None:
            self._entries.move_to_end(key)
            self.hits += 1
            return kept
        flying = self._flying.get(key)
        if flying is not None:
            self.hits += 1
            return await asyncio.shield(flying)
        self.misses += 1
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._flying[key] = future
        try:
            reply = await compute()
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # the waiters see it; nobody else needs to
            raise
        finally:
            del self._flying[key]
        future.set_result(reply)
        if reply.status == 200 and self.budget > 0:
            self._keep(key, reply)
        return reply

    def peek(self, key: Hashable) -> Reply | None:
        """The reply kept for `key`, if any (counted as a hit)."""
        kept = self._entries.get(key)
        if kept is not None:
            self._entries.move_to_end(key)
            self.hits += 1
        return kept

    def remember(self, key: Hashable, reply: Reply) -> None:
        """Keep `reply` under another key too (the raw request that asked for it)."""
        if self.budget > 0 and reply.status == 200 and key not in self._entries:
            self._keep(key, reply)

    def _keep(self, key: Hashable, reply: Reply) -> None:
        size = len(reply.body) + 256
        if size > self.budget // 8:
            return
        self._entries[key] = reply
        self.size += size
        while self.size > self.budget:
            _, dropped = self._entries.popitem(last=False)
            self.size -= len(dropped.body) + 256

    def clear(self) -> None:
        self._entries.clear()
        self.size = 0
