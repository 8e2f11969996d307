"""The SDK's way to give up: ``Crashed`` from ``act``, ``concede`` and ``leave_matches``."""

from __future__ import annotations

from typing import Any

from scripted_peer import ScriptedServer, prepare, request, running, welcome

from ringside.client import Bot, Crashed


class Brittle(Bot):
    name = "brittle"
    engine_name = "Brittle 1.0"

    def act(self, observation: Any, legal_actions: Any, clock: Any) -> Any:
        if observation["total"] == 13:
            raise Crashed("engine killed by SIGKILL")
        return observation["total"]


async def test_crashed_from_act_concedes_the_game(server: ScriptedServer) -> None:
    async with running(Brittle(), server.url):
        peer = await server.accept()
        hello = await peer.expect("hello")
        assert hello["engine"] == "Brittle 1.0"
        await peer.send(welcome("brittle"))
        await peer.send(request("m1", 1, None, {"total": 13}))
        assert await peer.recv() == {
            "type": "concede",
            "match": "m1",
            "reason": "engine killed by SIGKILL",
        }
        await peer.send(request("m2", 2, None, {"total": 15}))
        assert await peer.recv() == {"type": "action", "match": "m2", "id": 2, "action": 15}


async def test_leave_matches_concedes_every_match_being_played(server: ScriptedServer) -> None:
    bot = Brittle()
    async with running(bot, server.url):
        peer = await server.accept()
        await peer.expect("hello")
        await peer.send(welcome("brittle"))
        await peer.send(prepare("m1", 1))
        assert (await peer.recv())["type"] == "ready"
        assert await bot.leave_matches("the bridge was stopped (SIGTERM)") == ["m1"]
        assert await peer.recv() == {
            "type": "concede",
            "match": "m1",
            "reason": "the bridge was stopped (SIGTERM)",
            "cause": "leaving",
        }
