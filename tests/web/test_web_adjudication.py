"""An adjudicated round is told in words on the page: the banner, the caption and the
rounds table give the rule and its figures, not "null adjudicated"."""

from __future__ import annotations

import os
from typing import Any

import pytest
from web_helpers import BotFleet, first_legal, play_match

from ringside.testing.wire import ServerProcess

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture says why
    if os.environ.get("RINGSIDE_REQUIRE_BROWSER"):
        raise
    pytest.skip("playwright is not installed", allow_module_level=True)

REASON = "max_plies adjudication: 4 plies played; a draw (the game has no score before its end)"


def test_an_adjudicated_draw_is_told_in_the_replay(
    page: Any, server: ServerProcess, fleet: BotFleet
) -> None:
    fleet.add(server.ws_bot, "cap-white", games=["chess"], choose=first_legal)
    fleet.add(server.ws_bot, "cap-black", games=["chess"], choose=first_legal)
    record = play_match(
        server,
        {"game": "chess", "bots": ["cap-white", "cap-black"], "adjudication": {"max_plies": 4}},
    )
    assert record["result"]["scores"] == [0.5, 0.5]
    (verdict,) = record["round_results"][0]["verdicts"]
    assert (verdict["code"], verdict["bot"], verdict["message"]) == ("adjudicated", None, REASON)
    page.goto(f"{server.http}/#/replay/{record['id']}")
    shown = REASON[0].upper() + REASON[1:]
    banner = page.locator(".result")
    expect(page.locator("output.where")).to_have_text("End")
    expect(banner.locator(".winner")).to_have_text("Draw")
    expect(banner.locator(".reason")).to_have_text(shown)
    expect(page.locator(".board-caption")).to_contain_text(shown)
    expect(page.locator(".board-caption")).not_to_contain_text("null")
    fleet.remove("cap-white")
    fleet.remove("cap-black")
