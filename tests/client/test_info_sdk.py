"""A bot's ``act`` may say something of its move: ``Answer(action, info)`` or a pair."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from scripted_peer import ScriptedServer, request, running, welcome

from ringside.client import Answer, Bot, MoveInfo
from ringside.client.bot import split_answer


class Talker(Bot):
    """Answers each request in the way its observation names."""

    name = "talker"

    def act(self, observation: Any, legal_actions: Any, clock: Any) -> Any:
        way = observation["way"]
        if way == "answer":
            return Answer(3, {"score": 34, "depth": 18, "pv": ["3", "1"]})
        if way == "pair":
            return 4, "thinking out loud"
        if way == "struct":
            return Answer(5, MoveInfo(mate=-2, log="lost"))
        if way == "list":
            return [6, 7]  # an action that is an array
        if way == "not json":
            return Answer(8, {"score": object()})
        return 9


async def test_act_sends_its_info_with_the_action(
    server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "ringside.client")
    async with running(Talker(), server.url):
        peer = await server.accept()
        await peer.expect("hello")
        await peer.send(welcome("talker"))
        ways = ["answer", "pair", "struct", "list", "not json", "plain"]
        for number, way in enumerate(ways, start=1):
            await peer.send(request("m1", number, None, {"way": way}))
            answer = await peer.expect("action")
            assert answer["id"] == number
            got = (answer["action"], answer.get("info"))
            assert (
                got
                == {
                    "answer": (3, {"score": 34, "depth": 18, "pv": ["3", "1"]}),
                    "pair": (4, "thinking out loud"),
                    "struct": (5, {"mate": -2, "log": "lost"}),
                    "list": ([6, 7], None),
                    "not json": (8, None),  # the info is dropped, the move is not
                    "plain": (9, None),
                }[way]
            )
    assert "the info for match m1 is not JSON, not sent" in caplog.text


def test_split_answer() -> None:
    assert split_answer(Answer("e2e4", "book")) == ("e2e4", "book")
    assert split_answer(Answer("e2e4")) == ("e2e4", None)
    assert split_answer(("e2e4", {"depth": 1})) == ("e2e4", {"depth": 1})
    assert split_answer(["e2e4", "e7e5"]) == (["e2e4", "e7e5"], None)
    assert split_answer((1, 2, 3)) == ((1, 2, 3), None)
    assert split_answer(None) == (None, None)
