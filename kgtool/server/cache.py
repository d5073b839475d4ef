"""Answers kept for identical requests, and identical requests in flight answered once.

The graph is read-only (or, with updates on, the cache is emptied by every update), so an
answer is a function of the request: the query text, the dataset and the media type. Volatile
queries (NOW(), RAND(), SERVICE...) are never kept: the query process says so in its reply
(`Reply.cacheable`).

Memory is bounded by the budget whatever the requests: an entry is kept under a 32-byte
digest of its key, never the key itself (a 1 MB query text would otherwise be held as long as
its 20-byte answer), and charged for its digest, its reply and the bookkeeping around them.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from kgtool.server.worker import Reply

#: What one entry costs beside its body: the digest, the reply object, the dict's node.
ENTRY_OVERHEAD = 512


def digest(key: Hashable) -> bytes:
    """A collision-resistant digest of a key made of strings, bytes, numbers, None and tuples
    (each part length-prefixed, so that two different keys never feed the same bytes)."""
    hasher = hashlib.blake2b(digest_size=32)
    _feed(hasher, key)
    return hasher.digest()


def _feed(hasher: Any, part: object) -> None:
    if isinstance(part, tuple):
        hasher.update(b"(%d" % len(part))
        for item in part:
            _feed(hasher, item)
        hasher.update(b")")
        return
    if isinstance(part, str):
        data, kind = part.encode("utf-8", "surrogatepass"), b"s"
    elif isinstance(part, bytes):
        data, kind = part, b"b"
    else:
        data, kind = repr(part).encode("utf-8"), b"r"
    hasher.update(b"%s%d:" % (kind, len(data)))
    hasher.update(data)


def cost(reply: Reply) -> int:
    """The bytes an entry holding `reply` is charged."""
    headers = sum(len(name) + len(value) for name, value in reply.headers)
    return ENTRY_OVERHEAD + len(reply.body) + len(reply.media) + headers


class Cache:
    """Successful replies by key, least recently used dropped first, at most `budget` bytes
    (`size` is what the entries are charged now).

    `budget` 0 turns caching off, but identical requests in flight still share one run.
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[bytes, Reply] = OrderedDict()
        self._flying: dict[bytes, asyncio.Future[Reply]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[Reply]]) -> Reply:
        """The reply for `key`: kept, being computed for another request, or computed now."""
        hashed = digest(key)
        kept = self._entries.get(hashed)
        if kept is not None:
            self._entries.move_to_end(hashed)
            self.hits += 1
            return kept
        flying = self._flying.get(hashed)
        if flying is not None:
            self.hits += 1
            return await asyncio.shield(flying)
        self.misses += 1
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._flying[hashed] = future
        try:
            reply = await compute()
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # the waiters see it; nobody else needs to
            raise
        finally:
            del self._flying[hashed]
        future.set_result(reply)
        self._keep(hashed, reply)
        return reply

    def peek(self, key: Hashable) -> Reply | None:
        """The reply kept for `key`, if any (counted as a hit)."""
        hashed = digest(key)
        kept = self._entries.get(hashed)
        if kept is not None:
            self._entries.move_to_end(hashed)
            self.hits += 1
        return kept

    def remember(self, key: Hashable, reply: Reply) -> None:
        """Keep `reply` under another key too (the raw request that asked for it)."""
        hashed = digest(key)
        if hashed not in self._entries:
            self._keep(hashed, reply)

    def _keep(self, hashed: bytes, reply: Reply) -> None:
        size = cost(reply)
        if reply.status != 200 or not reply.cacheable or size > self.budget // 8:
            return
        self._entries[hashed] = reply
        self.size += size
        while self.size > self.budget:
            _, dropped = self._entries.popitem(last=False)
            self.size -= cost(dropped)

    def clear(self) -> None:
        self._entries.clear()
        self.size = 0
