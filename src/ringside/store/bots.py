"""Registered bots and their tokens; only a salted hash of a token is stored (``tokens``)."""

from __future__ import annotations

import asyncio

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ringside.store.engine import Database
from ringside.store.models import NAME_LENGTH, Bot
from ringside.store.records import BotExists, BotRecord
from ringside.store.tokens import check_token, hash_token, new_token


def _bot_record(bot: Bot) -> BotRecord:
    return BotRecord(id=bot.id, name=bot.name, created_at=bot.created_at, guest=bot.guest)


class BotStore:
    """Bots by name; each method is one transaction, token hashing runs in a thread."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add_bot(self, name: str) -> str:
        """Register a bot and return its new token; only a salted hash is stored."""
        if not name or len(name) > NAME_LENGTH:
            raise ValueError(f"a bot name has 1 to {NAME_LENGTH} characters: {name!r}")
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
        """Whether ``token`` is the token of the registered bot ``name``."""
        async with self._db.transaction() as session:
            token_hash = await session.scalar(select(Bot.token_hash).where(Bot.name == name))
        if token_hash is None:
            return False
        return await asyncio.to_thread(check_token, token, token_hash)

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
