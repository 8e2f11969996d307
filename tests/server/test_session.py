"""A bot's session on the real services, through the memory transport: hello, tokens, routing."""

from __future__ import annotations

from pathlib import Path

from ringside.server.settings import Settings
from ringside.testing.memory import InMemory, in_memory


async def test_every_refused_hello_is_fatal_and_closes(memory: InMemory) -> None:
    refusals = [
        ({"type": "hello", "protocol": 1, "name": "x", "max_matches": "two"}, "invalid_field"),
        ({"type": "hello", "protocol": 1, "name": "   "}, "invalid_field"),
        ({"type": "hello", "protocol": 2, "name": "x"}, "unsupported_protocol"),
        ({"type": "hello", "protocol": 1, "name": "x", "games": ["chesss"]}, "unknown_game"),
    ]
    for hello, code in refusals:
        bot = memory.bot()
        await bot.send(hello)
        answer = await bot.next()
        assert (answer["type"], answer["code"], answer["fatal"]) == ("error", code, True), hello
        assert bot.session.state == "closed"
        assert bot.take() == []  # no welcome, nothing after the error
    assert memory.server.roster.bots == {}


async def test_messages_before_hello_are_answered_and_counted(memory: InMemory) -> None:
    bot = memory.bot()
    await bot.send({"type": "ready", "match": "m", "id": 1})
    said = await bot.next()
    assert (said["code"], said.get("fatal", False)) == ("unexpected_message", False)
    for _ in range(5):
        await bot.send(b"{not json")
    codes = [(m["code"], m.get("fatal", False)) for m in bot.take()]
    assert codes == [("malformed_json", False)] * 5 + [("protocol_error", True)]
    assert bot.session.state == "closed"


async def test_a_message_for_a_match_not_played_is_refused_without_a_verdict(
    memory: InMemory,
) -> None:
    (bot,) = await memory.bots("alice")
    await bot.send({"type": "action", "match": "nope", "id": 1, "action": 0})
    error = await bot.next("error")
    assert (error["code"], error["match"]) == ("unexpected_message", "nope")
    assert bot.session.state == "ready"


async def test_registered_bots_need_their_token(tmp_path: Path) -> None:
    async with in_memory(tmp_path, Settings(open=False, data_dir=tmp_path)) as memory:
        token = await memory.server.store.add_bot("alice")
        for given, code in ((None, "bad_token"), ("wrong", "bad_token")):
            bot = memory.bot()
            refused = await bot.hello("alice", **({} if given is None else {"token": given}))
            assert (refused["code"], refused["fatal"]) == (code, True)
        stranger = memory.bot()
        refused = await stranger.hello("mallory")
        assert refused["code"] == "bad_token"
        impostor = memory.bot()  # a name not registered reads exactly as a wrong token
        unknown = await impostor.hello("mallory", token="wrong")
        wrong = await memory.bot().hello("alice", token="wrong")
        assert (unknown["code"], unknown["fatal"]) == (wrong["code"], wrong["fatal"])
        assert unknown["message"] == wrong["message"].replace("'alice'", "'mallory'")
        bot = memory.bot()
        welcome = await bot.hello("alice", token=token)
        assert (welcome["type"], welcome.get("guest", False)) == ("welcome", False)
        twin = memory.bot()
        assert (await twin.hello("alice", token=token))["code"] == "name_taken"
