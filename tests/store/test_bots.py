"""Bots: registration, token checks, and that tokens are never kept in clear."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from ringside.store import BotExists, BotRecord, Store
from ringside.store.bots import NameConfusable
from ringside.store.tokens import check_token, hash_token
from ringside.testing.clock import FakeClock


async def test_add_and_verify(store: Store, clock: FakeClock) -> None:
    token = await store.add_bot("alpha")
    assert isinstance(token, str) and len(token) >= 32
    assert await store.verify_bot("alpha", token)
    bot = await store.get_bot("alpha")
    assert isinstance(bot, BotRecord)
    assert (bot.name, bot.created_at, bot.guest) == ("alpha", clock.now, False)
    assert await store.get_bot("beta") is None


async def test_bad_token_and_unknown_bot(store: Store) -> None:
    token = await store.add_bot("alpha")
    other = await store.add_bot("beta")
    assert not await store.verify_bot("alpha", other)
    assert not await store.verify_bot("alpha", token + "x")
    assert not await store.verify_bot("alpha", "")
    assert not await store.verify_bot("gamma", token)
    assert not await store.verify_bot("beta", token)


async def test_duplicate_name_raises(store: Store) -> None:
    token = await store.add_bot("alpha")
    with pytest.raises(BotExists, match="alpha"):
        await store.add_bot("alpha")
    assert await store.verify_bot("alpha", token), "the first bot's token still works"
    assert [b.name for b in await store.list_bots()] == ["alpha"]


@pytest.mark.parametrize(("name", "why"), [("", "empty"), ("x" * 65, "1 to 64")])
async def test_name_length_checked(store: Store, name: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        await store.add_bot(name)


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("bad\u202ename", "text-direction override"),
        ("\u3164", "HANGUL FILLER"),
        ("\u2800", "BRAILLE PATTERN BLANK"),
        (" alpha", "start or end with a blank"),
        ("   ", "only blanks"),
        ("ａｌｐｈａ", "use 'alpha'"),
        ("al\tpha", "control character"),
    ],
)
async def test_names_the_policy_refuses_are_not_registered(
    store: Store, name: str, why: str
) -> None:
    with pytest.raises(ValueError, match=why):
        await store.add_bot(name)
    assert await store.list_bots() == []


async def test_a_look_alike_of_a_registered_name_is_refused(store: Store) -> None:
    await store.add_bot("alice")
    for look_alike in ("\u0430lice", "ALICE", "al\u0456ce", "a1ice"):
        with pytest.raises(NameConfusable, match="looks like the registered bot 'alice'"):
            await store.add_bot(look_alike)
    await store.add_bot("alicia")
    assert [b.name for b in await store.list_bots()] == ["alice", "alicia"]
    assert await store.bots.confusable("\u0430lice") == "alice"
    assert await store.bots.confusable("alice") is None


async def test_unknown_names_cost_a_check_like_wrong_tokens(store: Store) -> None:
    """scrypt runs for a name that is not registered too: the time tells nothing."""
    await store.add_bot("alpha")
    await store.verify_bot("nobody", "warm-up")  # the first one also hashes the dummy
    began = time.perf_counter()
    assert not await store.verify_bot("nobody", "guess")
    unknown = time.perf_counter() - began
    assert unknown > 0.005  # scrypt at n=2**14 takes tens of ms; a lookup alone is far less


async def test_longest_name_accepted(store: Store) -> None:
    name = "x" * 64
    token = await store.add_bot(name)
    assert await store.verify_bot(name, token)


async def test_token_never_stored_in_clear(store: Store) -> None:
    tokens = {name: await store.add_bot(name) for name in ("alpha", "beta")}
    async with store.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT name, token_hash FROM bots"))).all()
    hashes: dict[str, str] = {name: stored for name, stored in rows}
    assert set(hashes) == set(tokens)
    for name, token in tokens.items():
        stored = hashes[name]
        assert token not in stored
        scheme, salt, digest = stored.split("$")
        assert scheme == "scrypt" and len(bytes.fromhex(salt)) == 16
        assert len(bytes.fromhex(digest)) == 32
    assert hashes["alpha"].split("$")[1] != hashes["beta"].split("$")[1], "salt per bot"


def test_hash_is_salted_and_malformed_hashes_fail() -> None:
    first, second = hash_token("secret"), hash_token("secret")
    assert first != second
    assert check_token("secret", first) and check_token("secret", second)
    assert not check_token("Secret", first)
    for broken in ("", "scrypt", "scrypt$$", "scrypt$zz$00", "pbkdf2$00$00", first + "00"):
        assert not check_token("secret", broken)


async def test_list_and_remove(store: Store, clock: FakeClock) -> None:
    for name in ("charlie", "alpha", "bravo"):
        await store.add_bot(name)
        clock.advance()
    bots = await store.list_bots()
    assert [b.name for b in bots] == ["alpha", "bravo", "charlie"]
    assert len({b.id for b in bots}) == 3
    assert await store.remove_bot("bravo")
    assert not await store.remove_bot("bravo")
    assert await store.get_bot("bravo") is None
    assert [b.name for b in await store.list_bots()] == ["alpha", "charlie"]
    token = await store.add_bot("bravo")
    assert await store.verify_bot("bravo", token), "a removed name can be registered again"
