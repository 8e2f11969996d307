"""Registered bots and their tokens; only a salted hash of a token is stored (``tokens``).

A name is registered only if the name policy admits it (``ringside.names``),
and not if it looks like a registered name (same skeleton). Checking the
token of a name that is not registered runs scrypt all the same, against a
hash of no token, so the time of a refusal does not tell which names exist.
"""

from __future__ import annotations

import asyncio
import functools

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ringside.names import BadName, check_name, confusable_with
from ringside.store.engine import Database
from ringside.store.models import Bot
from ringside.store.records import BotExists, BotRecord
from ringside.store.tokens import check_token, hash_token, new_token


class NameConfusable(BadName):
    """The name looks like a registered one (``ringside.names.skeleton``)."""

    def __init__(self, name: str, other: str) -> None:
        super().__init__(
            f"bot name {name!r} looks like the registered bot {other!r} "
            "(the same letters to the eye); pick a name that reads differently"
        )
        self.name = name
        self.other = other


@functools.cache
def _no_token_hash() -> str:
    """A hash no token matches in practice: unknown names are checked against it."""
    return hash_token(new_token())


def _check_no_token(token: str) -> bool:
    return check_token(token, _no_token_hash())


def _bot_record(bot: Bot) -> BotRecord:
    return BotRecord(id=bot.id, name=bot.name, created_at=bot.created_at, guest=bot.guest)


class BotStore:
    """Bots by name; each method is one transaction, token hashing runs in a thread."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add_bot(self, name: str) -> str:
        """Register a bot and return its new token; only a salted hash is stored.

        Raises ``BadName`` (a ValueError) for a name the policy refuses,
        ``NameConfusable`` for one like a registered name, ``BotExists``."""
        check_name(name)  # at most names.MAX_NAME characters, as NAME_LENGTH
        async with self._db.transaction() as session:
            registered = (await session.scalars(select(Bot.name).where(Bot.guest.is_(False)))).all()
        other = confusable_with(name, registered)
        if other is not None:
            raise NameConfusable(name, other)
        token = new_token()
        token_hash = await asyncio.to_thread(hash_token, token)
        try:
            async with self._db.transaction(write=True) as session:
                session.add(
                    Bot(name=name, token_hash=token_hash, created_at=self._db.now(), guest=False)
                )
        except IntegrityError as exc:
            raise BotExists(name) from exc
        return token

    async def verify_bot(self, name: str, token: str) -> bool:
        """Whether ``token`` is the token of the registered bot ``name``.

        As slow for a name that is not registered (a guest's, or none): scrypt
        runs against a hash no token matches."""
        async with self._db.transaction() as session:
            token_hash = await session.scalar(
                select(Bot.token_hash).where(Bot.name == name, Bot.guest.is_(False))
            )
        if token_hash is None:
            await asyncio.to_thread(_check_no_token, token)
            return False
        return await asyncio.to_thread(check_token, token, token_hash)

    async def confusable(self, name: str) -> str | None:
        """A registered bot's name that ``name`` looks like (not ``name`` itself), if any."""
        async with self._db.transaction() as session:
            registered = (await session.scalars(select(Bot.name).where(Bot.guest.is_(False)))).all()
        return confusable_with(name, registered)

    async def get_bot(self, name: str) -> BotRecord | None:
        async with self._db.transaction() as session:
            bot = await session.scalar(select(Bot).where(Bot.name == name))
            return None if bot is None else _bot_record(bot)

    async def list_bots(self) -> list[BotRecord]:
        """Every bot, by name."""
        async with self._db.transaction() as session:
            bots = await session.scalars(select(Bot).order_by(Bot.name))
            return [_bot_record(bot) for bot in bots]

    async def remove_bot(self, name: str) -> bool:
        """Forget a bot (its matches keep its name); False if there was none."""
        async with self._db.transaction(write=True) as session:
            removed = await session.scalar(delete(Bot).where(Bot.name == name).returning(Bot.id))
        return removed is not None
