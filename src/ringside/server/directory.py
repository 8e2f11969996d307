"""The cluster's shared facts in Redis: live nodes, who is online where, names, reservations.

Written with redis-py: these are control-plane calls (a hello, a match start,
one heartbeat a second), where its cost does not matter (docs/architecture.md,
"Several nodes"). Every key starts with ``PREFIX``:

- ``node:<id>``: a node is alive while this key is (set every beat, expires after ``NODE_TTL``);
  ``nodes`` is the set of every node id ever seen, to look for lost ones.
- ``presence:<id>``: a hash of the bots connected to node ``<id>`` (name -> ``BotInfo``
  JSON), written only by that node and expiring with it.
- ``bot:<name>``: the claim of a bot name (the node it is connected to, its games, its
  limit of matches); a claim whose node is not alive is free.
- ``playing:<name>``: the ids of the matches a bot is reserved for, anywhere.
- ``reserved``: who reserved each match not yet started (``node incarnation``), so that
  a reservation whose node died before starting its match does not hold its bots for
  ever: the next reservation of one of them drops it.
- ``owner``/``matches``: the node running each live match, and its ``MatchInfo``.

A node's key holds its incarnation, a token drawn at each start: a node that
restarts under the same id is not taken for the one that made the reservations.
- ``lease:<what>``: a task run once in the cluster (the ladder).

Claims and reservations are Lua scripts: one atomic step for all the bots of
a match, so two nodes starting matches at once never both take a bot.
"""

from __future__ import annotations

import secrets

import msgspec
from redis.asyncio import Redis

from ringside.protocol.messages import BotInfo, MatchInfo

PREFIX = "ringside:"
NODE_TTL = 3.0
"""Seconds a node is alive after its last beat: three beats missed and it is lost."""
BEAT_EVERY = 1.0
"""Seconds between two beats of a node."""

_CLAIM = """
local owner = redis.call('HGET', KEYS[1], 'node')
if owner and owner ~= ARGV[1] and redis.call('EXISTS', ARGV[5] .. 'node:' .. owner) == 1 then
  return owner
end
redis.call('HSET', KEYS[1], 'node', ARGV[1], 'games', ARGV[2], 'max', ARGV[3], 'since', ARGV[4])
return false
"""

_RELEASE = """
if redis.call('HGET', KEYS[1], 'node') == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
"""

# KEYS: bot:<name>... then playing:<name>... ;
# ARGV: match id, game, prefix, count, this node, its incarnation
_RESERVE = """
local n = tonumber(ARGV[4])
local prefix = ARGV[3]
local function forsaken(match)
  -- a match that has ended, or was reserved by a node (incarnation) gone before starting it
  if redis.call('HEXISTS', prefix .. 'owner', match) == 1 then
    return false
  end
  local by = redis.call('HGET', prefix .. 'reserved', match)
  if not by then
    return true
  end
  local space = string.find(by, ' ', 1, true)
  local node, incarnation = string.sub(by, 1, space - 1), string.sub(by, space + 1)
  return redis.call('GET', prefix .. 'node:' .. node) ~= incarnation
end
local nodes = {}
for i = 1, n do
  for _, match in ipairs(redis.call('SMEMBERS', KEYS[n + i])) do
    if forsaken(match) then
      redis.call('SREM', KEYS[n + i], match)
    end
  end
  local claim = redis.call('HMGET', KEYS[i], 'node', 'games', 'max')
  local node = claim[1]
  if not node or redis.call('EXISTS', ARGV[3] .. 'node:' .. node) == 0 then
    return {'bot_offline', tostring(i)}
  end
  local games = claim[2]
  if games ~= '' and not string.find(games, ',' .. ARGV[2] .. ',', 1, true) then
    return {'bot_wrong_game', tostring(i)}
  end
  if redis.call('SCARD', KEYS[n + i]) >= tonumber(claim[3]) then
    return {'bot_busy', tostring(i)}
  end
  nodes[i] = node
end
for i = 1, n do
  redis.call('SADD', KEYS[n + i], ARGV[1])
end
redis.call('HSET', prefix .. 'reserved', ARGV[1], ARGV[5] .. ' ' .. ARGV[6])
table.insert(nodes, 1, 'ok')
return nodes
"""

_LEASE = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] or not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""


class Reservation(msgspec.Struct, frozen=True):
    """The outcome of reserving a match's bots: their nodes, or why not."""

    nodes: list[str]
    """The node each bot is connected to, in seat order (empty when refused)."""
    refusal: str | None = None
    """``bot_offline``, ``bot_wrong_game`` or ``bot_busy``."""
    bot: str | None = None
    """The bot refused."""


def _games_field(games: list[str] | None) -> str:
    """The games of a claim as the Lua scripts read them: ``,a,b,`` or empty for any game."""
    return "" if games is None else "," + ",".join(games) + ","


class Directory:
    """One node's view of and writes to the cluster's shared facts."""

    def __init__(self, redis: Redis, node: str, prefix: str = PREFIX) -> None:
        self.redis = redis
        self.node = node
        self.prefix = prefix
        self.incarnation = secrets.token_hex(8)
        """This process's turn as ``node``: the value of its key (see the module's doc)."""
        self._claim = redis.register_script(_CLAIM)
        self._release = redis.register_script(_RELEASE)
        self._reserve = redis.register_script(_RESERVE)
        self._lease = redis.register_script(_LEASE)

    def key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    # --- nodes ---------------------------------------------------------------------------

    async def beat(self, first: bool) -> bool:
        """Say this node is alive for ``NODE_TTL``; False: its key had expired (it was lost)."""
        ttl = int(NODE_TTL * 1000)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.set(self.key("node", self.node), self.incarnation, px=ttl, nx=first, xx=not first)
            pipe.sadd(self.key("nodes"), self.node)
            pipe.pexpire(self.key("presence", self.node), ttl)
            replies = await pipe.execute()
        return bool(replies[0])

    async def register(self) -> None:
        """(Re)start this node's presence: alive, with no bots yet."""
        ttl = int(NODE_TTL * 1000)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.set(self.key("node", self.node), self.incarnation, px=ttl)
            pipe.sadd(self.key("nodes"), self.node)
            pipe.delete(self.key("presence", self.node))
            await pipe.execute()

    async def alive_nodes(self) -> set[str]:
        nodes = sorted(await self.redis.smembers(self.key("nodes")))
        if not nodes:
            return set()
        names = [n.decode() if isinstance(n, bytes) else str(n) for n in nodes]
        exists = await self.redis.mget([self.key("node", n) for n in names])
        return {n for n, e in zip(names, exists, strict=True) if e is not None}

    async def leave(self) -> None:
        """This node stops: its key and presence go at once (no wait for expiry)."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.delete(self.key("node", self.node), self.key("presence", self.node))
            pipe.srem(self.key("nodes"), self.node)
            await pipe.execute()

    # --- bots ------------------------------------------------------------------------------

    async def claim(self, info: BotInfo, since: float) -> str | None:
        """Claim ``info.name`` for this node; the node holding it, if another live one does."""
        owner = await self._claim(
            keys=[self.key("bot", info.name)],
            args=[
                self.node,
                _games_field(info.games),
                info.max_matches,
                repr(since),
                self.prefix,
            ],
        )
        if owner is None:
            return None
        return owner.decode() if isinstance(owner, bytes) else str(owner)

    async def release(self, name: str) -> None:
        """Give the name back, if this node still holds it."""
        await self._release(keys=[self.key("bot", name)], args=[self.node])

    async def show(self, info: BotInfo) -> None:
        """Write a bot connected here into this node's presence."""
        await self.redis.hset(self.key("presence", self.node), info.name, msgspec.json.encode(info))

    async def hide(self, name: str) -> None:
        await self.redis.hdel(self.key("presence", self.node), name)

    async def presence(self, node: str) -> list[BotInfo]:
        """The bots connected to ``node``, as it wrote them."""
        stored = await self.redis.hgetall(self.key("presence", node))
        return [msgspec.json.decode(v, type=BotInfo) for v in stored.values()]

    async def where(self, name: str) -> str | None:
        """The node bot ``name`` is connected to (by its claim), if any."""
        node = await self.redis.hget(self.key("bot", name), "node")
        return None if node is None else node.decode() if isinstance(node, bytes) else str(node)

    # --- matches --------------------------------------------------------------------------

    async def reserve(self, match_id: str, game: str, bots: list[str]) -> Reservation:
        """Reserve every bot of a match in one atomic step, or none of them."""
        keys = [self.key("bot", b) for b in bots] + [self.key("playing", b) for b in bots]
        args: list[str | int] = [
            match_id,
            game,
            self.prefix,
            len(bots),
            self.node,
            self.incarnation,
        ]
        reply = await self._reserve(keys=keys, args=args)
        words = [w.decode() if isinstance(w, bytes) else str(w) for w in reply]
        if words[0] == "ok":
            return Reservation(words[1:])
        return Reservation([], words[0], bots[int(words[1]) - 1])

    async def unreserve(self, match_id: str, bots: list[str]) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            for bot in bots:
                pipe.srem(self.key("playing", bot), match_id)
            pipe.hdel(self.key("reserved"), match_id)
            await pipe.execute()

    async def owned(self, match_id: str, info: MatchInfo) -> None:
        """Match ``match_id`` runs on this node (written when it starts and at each round)."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hset(self.key("owner"), match_id, self.node)
            pipe.hset(self.key("matches"), match_id, msgspec.json.encode(info))
            pipe.hdel(self.key("reserved"), match_id)
            await pipe.execute()

    async def ended(self, match_id: str, bots: list[str]) -> None:
        """A match is over: it runs nowhere, its bots are free of it."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hdel(self.key("owner"), match_id)
            pipe.hdel(self.key("matches"), match_id)
            pipe.hdel(self.key("reserved"), match_id)
            for bot in bots:
                pipe.srem(self.key("playing", bot), match_id)
            await pipe.execute()

    async def owner(self, match_id: str) -> str | None:
        node = await self.redis.hget(self.key("owner"), match_id)
        return None if node is None else node.decode() if isinstance(node, bytes) else str(node)

    async def running(self) -> list[MatchInfo]:
        stored = await self.redis.hgetall(self.key("matches"))
        return [msgspec.json.decode(v, type=MatchInfo) for v in stored.values()]

    # --- tasks run once in the cluster -------------------------------------------------

    async def hold(self, what: str, seconds: float) -> bool:
        """Take or keep the lease on ``what`` for ``seconds``; False: another node holds it."""
        held = await self._lease(
            keys=[self.key("lease", what)], args=[self.node, int(seconds * 1000)]
        )
        return bool(held)


__all__ = ["BEAT_EVERY", "NODE_TTL", "PREFIX", "Directory", "Reservation"]
