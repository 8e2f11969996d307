"""PGN and SGF exports: from events of the real referee, over HTTP and from the command line."""

from __future__ import annotations

import asyncio
import io
import json
import urllib.request
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import msgspec
import pytest
from typer.testing import CliRunner

from bridges.sgf_check import parse_sgf
from ringside.cli.engines import _standalone
from ringside.export import ExportError, export, sgf_point
from ringside.local import PolitePlayer, Reply, Simulation
from ringside.protocol.messages import Action, MatchEvent, Request
from ringside.protocol.messages import PerMove as PerMoveTC
from ringside.referee import Match, MatchConfig
from ringside.testing.wire import ServerProcess, WireBot, post_match, start_bot

pytest.importorskip("chess", reason="PGN export needs python-chess")
import chess.pgn

FOOLS_MATE = ["f2f3", "e7e5", "g2g4", "d8h4"]
WHEN = datetime(2024, 5, 17, 12, 0, tzinfo=UTC)


def scripted(script: Sequence[Any], think: float = 0.5) -> PolitePlayer:
    """A bot playing ``script[ply]`` where ply counts the moves so far, else the first legal."""

    def choose(request: Request) -> tuple[Any, float]:
        ply = len(request.observation["moves"])
        legal = request.legal_actions or []
        return (script[ply] if ply < len(script) else legal[0]), think

    return PolitePlayer(choose)


def events_of(config: MatchConfig, players: list[PolitePlayer]) -> list[dict[str, Any]]:
    events: list[MatchEvent] = []
    Simulation(Match("m1", config), list(players), events.append).run()
    return [msgspec.to_builtins(e) for e in events]


def pgn_games(text: str) -> list[chess.pgn.Game]:
    stream = io.StringIO(text)
    games = []
    while (game := chess.pgn.read_game(stream)) is not None:
        assert not game.errors, game.errors
        games.append(game)
    return games


def test_pgn_of_a_two_round_match_with_an_opening() -> None:
    config = MatchConfig(
        game="chess",
        bots=["alice", "bob"],
        rounds=2,
        options={"openings": ["f2f3"]},
        time_control=PerMoveTC(5.0),
    )
    events = events_of(config, [scripted(FOOLS_MATE), scripted(FOOLS_MATE)])
    games = pgn_games(export("pgn", events, started_at=WHEN))
    assert len(games) == 2
    first, second = games
    assert (first.headers["White"], first.headers["Black"]) == ("alice", "bob")
    assert (second.headers["White"], second.headers["Black"]) == ("bob", "alice")
    for game in games:
        assert game.headers["Result"] == "0-1"
        assert game.headers["Date"] == "2024.05.17"
        assert game.headers["TimeControl"] == "1/5"
        assert game.headers["Termination"] == "normal"
        assert "FEN" not in game.headers
        assert [m.uci() for m in game.mainline_moves()] == FOOLS_MATE
        assert game.next().comment == "book"  # type: ignore[union-attr]
        assert game.end().board().is_checkmate()
        assert [n.emt() for n in game.mainline()] == [None, 0.5, 0.5, 0.5]
    finals = [e["view"]["fen"] for e in events if e["type"] == "round_result"]
    assert [g.end().board().fen() for g in games] == finals
    one = pgn_games(export("pgn", events, round=2))
    assert len(one) == 1 and one[0].headers["Round"] == "2"


def test_a_bot_dropping_between_rounds_makes_no_round_of_its_own() -> None:
    config = MatchConfig(game="chess", bots=["alice", "bob"], rounds=2)
    script = ["f2f3", "e7e5", "g2g4", "d8h4"]
    events = events_of(config, [scripted(script), scripted(script)])
    cut = next(i for i, e in enumerate(events) if e["type"] == "round_result") + 1
    dropped = {
        "type": "seat_dropped",
        "match": "m1",
        "round": 2,
        "player": 1,
        "bot": "bob",
        "grace_seconds": 5.0,
    }
    (game,) = pgn_games(export("pgn", [*events[:cut], dropped]))
    assert game.headers["Round"] == "1"


def test_pgn_of_a_forfeit_from_a_set_position() -> None:
    fen = "4k3/8/8/8/8/8/8/3QK3 w - - 0 1"
    config = MatchConfig(game="chess", bots=["alice", "bob"], options={"fen": fen})
    script = ["d1d5", "e8e7", "nonsense"]
    events = events_of(config, [scripted(script), scripted(script)])
    (game,) = pgn_games(export("pgn", events))
    assert game.headers["FEN"] == fen and game.headers["SetUp"] == "1"
    assert game.headers["Result"] == "0-1"
    assert game.headers["Termination"] == "rules infraction"
    assert "White forfeits: illegal_action" in game.end().comment
    assert [m.uci() for m in game.mainline_moves()] == ["d1d5", "e8e7"]


def go_events(script: list[str], think: float = 0.5, seconds: float = 5.0) -> list[dict[str, Any]]:
    config = MatchConfig(
        game="go",
        bots=["black-bot", "white-bot"],
        options={"size": 9, "komi": 6.5},
        time_control=PerMoveTC(seconds),
    )
    return events_of(config, [scripted(script, think), scripted(script, think)])


def test_sgf_of_a_scored_game() -> None:
    events = go_events(["E5", "E4", "D5", "pass", "pass"])
    (tree,) = parse_sgf(export("sgf", events, started_at=WHEN))
    root = tree[0]
    assert root["GM"] == ["1"] and root["FF"] == ["4"] and root["SZ"] == ["9"]
    assert root["KM"] == ["6.5"] and root["DT"] == ["2024-05-17"]
    assert (root["PB"], root["PW"]) == (["black-bot"], ["white-bot"])
    final = next(e["view"] for e in events if e["type"] == "round_result")
    assert root["RE"] == [final["result"]]
    assert [next(iter(node.items())) for node in tree[1:]] == [
        ("B", ["ee"]),
        ("W", ["ef"]),
        ("B", ["de"]),
        ("W", [""]),
        ("B", [""]),
    ]
    assert tree[1]["BL"] == ["5.000"]


def test_sgf_of_a_resignation_and_of_a_timeout() -> None:
    (tree,) = parse_sgf(export("sgf", go_events(["E5", "resign"])))
    assert tree[0]["RE"] == ["B+R"] and len(tree) == 2
    (tree,) = parse_sgf(export("sgf", go_events([], think=9.0)))
    assert tree[0]["RE"] == ["W+T"] and "timeout" in tree[0]["GC"][0]


def test_sgf_points_count_rows_from_the_top() -> None:
    assert sgf_point("A9", 9) == "aa"
    assert sgf_point("J1", 9) == "ii"
    assert sgf_point("D4", 19) == "dp"
    assert sgf_point("T19", 19) == "sa"


def test_sgf_escapes_names() -> None:
    events = go_events(["pass", "pass"])
    for event in events:
        if event["type"] == "round_started":
            event["bots"] = ["a]b\\c", "w"]
    (tree,) = parse_sgf(export("sgf", events))
    assert tree[0]["PB"] == ["a]b\\c"]


def test_the_wrong_game_or_round_is_refused() -> None:
    events = go_events(["pass", "pass"])
    with pytest.raises(ExportError, match="is go; PGN is for chess") as info:
        export("pgn", events)
    assert info.value.code == "wrong_game"
    with pytest.raises(ExportError, match="no round 3"):
        export("sgf", events, round=3)
    with pytest.raises(ExportError, match="no match_started"):
        export("sgf", events[1:])


# --- over HTTP and on the command line ---------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    process = ServerProcess(tmp_path_factory.mktemp("export"), ["--open"])
    process.start()
    yield process
    process.stop()


async def finished_match(
    http: aiohttp.ClientSession, server: ServerProcess, body: dict[str, Any]
) -> str:
    status, created = await post_match(http, server, body)
    assert status == 201, created
    async with asyncio.timeout(30):
        while True:
            async with http.get(f"{server.http}/api/matches/{created['id']}") as response:
                if (await response.json())["status"] == "finished":
                    return str(created["id"])
            await asyncio.sleep(0.05)


@pytest.fixture(scope="module")
def matches(server: ServerProcess) -> dict[str, str]:
    """A finished chess match and a finished tic-tac-toe match, by game (played once)."""

    async def play_both() -> dict[str, str]:
        bots = [WireBot("first-a", server.tcp_bot), WireBot("first-b", server.ws_bot)]
        tasks = [await start_bot(bot) for bot in bots]
        names = ["first-a", "first-b"]
        fen = "4k3/8/8/8/8/8/8/3QK3 w - - 0 1"
        async with aiohttp.ClientSession() as http:
            played = {
                "chess": await finished_match(
                    http, server, {"game": "chess", "bots": names, "options": {"fen": fen}}
                ),
                "tictactoe": await finished_match(
                    http, server, {"game": "tictactoe", "bots": names}
                ),
            }
        for bot in bots:
            await bot.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return played

    return asyncio.run(play_both())


async def test_http_export_routes(server: ServerProcess, matches: dict[str, str]) -> None:
    base = f"{server.http}/api/matches"
    chess_id, ttt_id = matches["chess"], matches["tictactoe"]
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/{chess_id}/pgn") as response:
            assert response.status == 200
            assert response.content_type == "application/x-chess-pgn"
            (game,) = pgn_games(await response.text())
        assert game.headers["White"] == "first-a"
        assert game.headers["Site"] == "Ringside", "the same Site as ringside export"
        for url, status, code in [
            (f"{base}/nope/pgn", 404, "unknown_match"),
            (f"{base}/{ttt_id}/pgn", 409, "wrong_game"),
            (f"{base}/{chess_id}/sgf", 409, "wrong_game"),
            (f"{base}/{chess_id}/pgn?round=2", 404, "no_round"),
            (f"{base}/{chess_id}/pgn?round=x", 422, "invalid_field"),
        ]:
            async with http.get(url) as response:
                assert response.status == status, url
                assert (await response.json())["error"]["code"] == code
        async with http.get(f"{server.http}/api/openapi.json") as response:
            paths = (await response.json())["paths"]
        assert {"/api/matches/{id}/pgn", "/api/matches/{id}/sgf"} <= set(paths)


def test_cli_export_from_the_server_and_from_the_database(
    server: ServerProcess, matches: dict[str, str], tmp_path: Path
) -> None:
    chess_id, ttt_id = matches["chess"], matches["tictactoe"]
    cli = _standalone()
    run: Callable[..., Any] = CliRunner().invoke
    from_server = run(cli, ["export", chess_id, "--server", server.http])
    assert from_server.exit_code == 0, from_server.output
    out = tmp_path / "game.pgn"
    from_store = run(cli, ["export", chess_id, "--data-dir", str(server.data_dir), "-o", str(out)])
    assert from_store.exit_code == 0, from_store.output
    assert from_server.stdout == out.read_text()
    with urllib.request.urlopen(f"{server.http}/api/matches/{chess_id}/pgn") as response:
        assert response.read().decode() == out.read_text(), "one Site (and text) everywhere"
    (game,) = pgn_games(out.read_text())
    assert game.end().board().is_game_over(claim_draw=True)

    as_json = run(cli, ["export", ttt_id, "--data-dir", str(server.data_dir)])
    assert as_json.exit_code == 0 and json.loads(as_json.stdout)["game"] == "tictactoe"
    http_json = run(cli, ["export", ttt_id, "--server", server.http, "--format", "json"])
    assert json.loads(http_json.stdout)["events"] == json.loads(as_json.stdout)["events"]
    wrong = run(cli, ["export", ttt_id, "--server", server.http, "--format", "sgf"])
    assert wrong.exit_code == 1 and "SGF is for go" in wrong.stderr
    missing = run(cli, ["export", "nope", "--server", server.http])
    assert missing.exit_code == 1 and "no match 'nope'" in missing.stderr


# --- what the bots said of their moves --------------------------------------------------


class Talkative(PolitePlayer):
    """Plays ``script`` like ``scripted`` and says ``infos[ply]`` of each move."""

    def __init__(self, script: Sequence[Any], infos: Sequence[Any]) -> None:
        super().__init__(scripted(script).choose)
        self.infos = infos

    def on_message(self, message: Any) -> Reply | None:
        reply = super().on_message(message)
        if reply is not None and isinstance(message, Request) and isinstance(reply.message, Action):
            ply = len(message.observation["moves"])
            info = self.infos[ply] if ply < len(self.infos) else None
            reply = Reply(
                Action(message.match, message.id, reply.message.action, info), reply.after
            )
        return reply


FOOLS_INFO = [
    {"score": 34, "depth": 18, "time": 0.512, "pv": ["f2f3", "e7e5"]},
    {"mate": 3, "depth": 20},
    "a log line {with braces}\nand [%clk 9:99:99] in it",
    {"mate": -1, "depth": 1, "nodes": 20, "log": "oops"},
]


def test_pgn_comments_carry_each_moves_info() -> None:
    config = MatchConfig(game="chess", bots=["alice", "bob"], time_control=PerMoveTC(5.0))
    players = [Talkative(FOOLS_MATE, FOOLS_INFO), Talkative(FOOLS_MATE, FOOLS_INFO)]
    events = events_of(config, players)
    assert [e.get("info") for e in events if e["type"] == "move"][1] == {"mate": 3, "depth": 20}
    text = export("pgn", events)
    assert "{ +0.34/18 0.51s [%clk" in text or "{ +0.34/18 0.51s\n[%clk" in text
    (game,) = pgn_games(text)
    nodes = list(game.mainline())
    assert [n.move.uci() for n in nodes] == FOOLS_MATE
    comments = [n.comment.split(" [%clk")[0] for n in nodes]
    assert comments == [
        "+0.34/18 0.51s",
        "#3/20",
        "a log line (with braces) and [ %clk 9:99:99] in it",
        "#-1/1 oops",
    ]
    assert [n.clock() for n in nodes] == [5.0, 5.0, 5.0, 5.0]  # per move: a fresh budget
    assert [n.emt() for n in nodes] == [0.5, 0.5, 0.5, 0.5]


def test_a_move_without_info_has_only_its_clock_comment() -> None:
    config = MatchConfig(game="chess", bots=["alice", "bob"], time_control=PerMoveTC(5.0))
    events = events_of(config, [scripted(FOOLS_MATE), scripted(FOOLS_MATE)])
    (game,) = pgn_games(export("pgn", events))
    assert all(n.comment.startswith("[%clk") for n in game.mainline())


def test_sgf_comments_carry_each_moves_info() -> None:
    config = MatchConfig(
        game="go", bots=["black-bot", "white-bot"], options={"size": 9, "komi": 6.5}
    )
    infos = [{"score": 3.5, "depth": 12, "time": 1.25}, "tenuki]", None, None, None]
    script = ["E5", "E4", "D5", "pass", "pass"]
    events = events_of(config, [Talkative(script, infos), Talkative(script, infos)])
    (tree,) = parse_sgf(export("sgf", events))
    assert tree[1]["C"] == ["+3.5/12 1.25s"]
    assert tree[2]["C"] == ["tenuki]"]
    assert "C" not in tree[3]
