"""Tournament rows: created with their schedule, games overwritten as they change."""

from __future__ import annotations

import pytest

from ringside.store import Store
from ringside.store.records import TournamentNotFound
from ringside.testing.clock import FakeClock

CONFIG = {"game": "tictactoe", "format": "round-robin", "bots": ["a", "b"], "games_per_pair": 2}


def game(no: int, bots: list[str], **extra: object) -> dict[str, object]:
    return {"no": no, "round": no + 1, "bots": bots, "status": "pending", **extra}


async def test_create_save_and_read_back(store: Store, clock: FakeClock) -> None:
    await store.tournaments.create(
        "t1",
        name="spring cup",
        game="tictactoe",
        format="round-robin",
        config=CONFIG,
        games=[game(0, ["a", "b"]), game(1, ["b", "a"])],
    )
    record = await store.tournaments.get("t1")
    assert record is not None
    assert (record.name, record.status, record.config, record.result) == (
        "spring cup",
        "running",
        CONFIG,
        None,
    )
    assert record.created_at == clock.now and record.finished_at is None
    assert [(g.no, g.bots, g.status, g.attempts) for g in record.games] == [
        (0, ("a", "b"), "pending", 0),
        (1, ("b", "a"), "pending", 0),
    ]
    await store.tournaments.save_games(
        "t1",
        [
            game(0, ["a", "b"], status="done", points=[1.0, 0.0], match_id="m1", attempts=2),
            game(2, ["a"], status="bye", points=[2.0], note="bye " + "x" * 300),
        ],
    )
    record = await store.tournaments.get("t1")
    assert record is not None
    first, _, bye = record.games
    assert (first.status, first.points, first.match_id, first.attempts) == (
        "done",
        (1.0, 0.0),
        "m1",
        2,
    )
    assert bye.bots == ("a",) and bye.note is not None and len(bye.note) == 255
    await store.tournaments.set_result("t1", {"verdict": "H1", "llr": 3.1})
    clock.advance(5)
    await store.tournaments.finish("t1", "finished")
    record = await store.tournaments.get("t1")
    assert record is not None
    assert record.status == "finished" and record.finished_at == clock.now
    assert record.result == {"verdict": "H1", "llr": 3.1}


async def test_page_and_missing(store: Store, clock: FakeClock) -> None:
    for i in range(3):
        clock.advance(1)
        await store.tournaments.create(
            f"t{i}", name=None, game="connect4", format="swiss", config=CONFIG, games=[]
        )
    await store.tournaments.finish("t0", "cancelled")
    items, total = await store.tournaments.page()
    assert [t.id for t in items] == ["t2", "t1", "t0"] and total == 3
    items, total = await store.tournaments.page(status="running", limit=1)
    assert [t.id for t in items] == ["t2"] and total == 2
    assert await store.tournaments.get("nope") is None
    with pytest.raises(TournamentNotFound):
        await store.tournaments.save_games("nope", [game(0, ["a", "b"])])
    with pytest.raises(TournamentNotFound):
        await store.tournaments.finish("nope", "finished")
    with pytest.raises(ValueError):
        await store.tournaments.finish("t1", "running")
