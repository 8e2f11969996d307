"""The JSON Schemas in docs/schema/ are current, well formed, and accept real messages.

``jsonschema`` is not a dependency of the project, so a small validator for the
keywords msgspec emits checks real messages; the test fails if a schema starts
using a keyword that validator does not understand.
"""

from __future__ import annotations

import json
import typing
from pathlib import Path
from typing import Any

import msgspec
import pytest
from protocol_recording import Recording, alice, bob, play, tictactoe_match

from ringside import schema
from ringside.protocol.codec import SpectatorStream, encode
from ringside.protocol.messages import (
    Action,
    BotInfo,
    BotJoined,
    BotMessage,
    ByoYomi,
    Error,
    Fischer,
    Hello,
    Lobby,
    MatchInfo,
    MatchSnapshot,
    Message,
    Move,
    MoveInfo,
    PerMove,
    Ping,
    Pong,
    Request,
    ServerMessage,
    SpectatorMessage,
    Unwatch,
    Watch,
    Welcome,
)
from ringside.referee.config import MatchConfig

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "docs" / "schema"
BOT = "bot-to-server.schema.json"
SERVER = "server-to-bot.schema.json"
EVENTS = "spectator-events.schema.json"
WATCH = "spectator-to-server.schema.json"
CONFIG = "match-config.schema.json"
ALL = [BOT, SERVER, EVENTS, WATCH, CONFIG]


def load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    return document


# --- the files are current ----------------------------------------------------------


def test_committed_schemas_are_current(tmp_path: Path) -> None:
    written = schema.write(tmp_path)
    assert sorted(p.name for p in written) == sorted(ALL)
    for path in written:
        committed = SCHEMA_DIR / path.name
        assert committed.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), (
            f"{committed} is stale: run make schema"
        )


def test_main_writes_and_checks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert schema.main([str(tmp_path), "--check"]) == 1
    assert schema.main([str(tmp_path)]) == 0
    assert "bot-to-server.schema.json" in capsys.readouterr().out
    assert schema.main([str(tmp_path), "--check"]) == 0
    (tmp_path / BOT).write_text("{}\n", encoding="utf-8")
    assert schema.main([str(tmp_path), "--check"]) == 1
    assert schema.main([str(SCHEMA_DIR), "--check"]) == 0


def test_output_is_deterministic() -> None:
    assert schema.schemas() == schema.schemas()
    for document in schema.schemas().values():
        text = schema.render(document)
        assert text.endswith("}\n")
        assert json.loads(text) == document


# --- the files are well formed ----------------------------------------------------------

UNIONS = {BOT: BotMessage, SERVER: ServerMessage, EVENTS: SpectatorStream, WATCH: SpectatorMessage}


def _walk(node: Any) -> typing.Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


@pytest.mark.parametrize("name", ALL)
def test_document_header(name: str) -> None:
    document = load(name)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["title"]
    assert all("$id" not in node for node in _walk(document))
    refs = [node["$ref"] for node in _walk(document) if "$ref" in node]
    for ref in refs:
        assert ref.startswith("#/$defs/")
        assert ref.removeprefix("#/$defs/") in document["$defs"], ref


@pytest.mark.parametrize("name", list(UNIONS))
def test_top_level_is_a_union_over_the_message_types(name: str) -> None:
    document = load(name)
    members = typing.get_args(UNIONS[name])
    tags = [m.__struct_config__.tag for m in members]
    choices = document.get("oneOf") or document["anyOf"]
    assert [c["$ref"] for c in choices] == [f"#/$defs/{m.__name__}" for m in members]
    assert document["discriminator"]["propertyName"] == "type"
    assert sorted(document["discriminator"]["mapping"]) == sorted(tags)
    for member, tag in zip(members, tags, strict=True):
        component = document["$defs"][member.__name__]
        assert component["type"] == "object"
        assert component["properties"]["type"] == {"enum": [tag]}
        assert "type" in component["required"]
        fields = msgspec.structs.fields(member)
        required = [f.encode_name for f in fields if f.required]
        assert component["required"] == ["type", *required]
        assert set(component["properties"]) == {"type", *(f.encode_name for f in fields)}


def test_match_config_schema() -> None:
    document = load(CONFIG)
    assert document["$ref"] == "#/$defs/MatchConfig"
    config = document["$defs"]["MatchConfig"]
    assert config["required"] == ["game", "bots"]
    assert config["additionalProperties"] is False
    assert config["properties"]["forfeit"]["enum"] == ["match", "round"]


# --- a validator for the keywords msgspec emits ------------------------------------------

KNOWN = {
    "$schema", "$defs", "$ref", "title", "description", "default", "discriminator",
    "type", "enum", "properties", "required", "items", "additionalProperties", "anyOf", "oneOf",
    "minimum",
}  # fmt: skip
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


def _keywords(node: Any, into: set[str]) -> None:
    """Keywords used anywhere in a schema (skipping names under properties/$defs/mapping)."""
    if isinstance(node, dict):
        for key, value in node.items():
            into.add(key)
            if key in ("properties", "$defs"):
                for sub in value.values():
                    _keywords(sub, into)
            elif key not in ("discriminator", "default", "enum"):
                _keywords(value, into)
    elif isinstance(node, list):
        for item in node:
            _keywords(item, into)


@pytest.mark.parametrize("name", ALL)
def test_validator_understands_every_keyword(name: str) -> None:
    used: set[str] = set()
    _keywords(load(name), used)
    assert used <= KNOWN, used - KNOWN


def errors(value: Any, node: dict[str, Any], root: dict[str, Any], at: str = "$") -> list[str]:
    """Why ``value`` does not fit ``node`` (empty when it does)."""
    if "$ref" in node:
        target = root["$defs"][node["$ref"].removeprefix("#/$defs/")]
        found = errors(value, target, root, at)
        if found:
            return found
    for key in ("anyOf", "oneOf"):
        if key in node:
            fits = sum(not errors(value, choice, root, at) for choice in node[key])
            if fits == 0 or (key == "oneOf" and fits > 1):
                return [f"{at}: {fits} of the {key} choices fit"]
    if "enum" in node and value not in node["enum"]:
        return [f"{at}: {value!r} not in {node['enum']}"]
    if "type" in node:
        kinds = JSON_TYPES[node["type"]]
        if isinstance(value, bool) and bool not in kinds:
            return [f"{at}: expected {node['type']}, got a boolean"]
        if not isinstance(value, kinds):
            return [f"{at}: expected {node['type']}, got {type(value).__name__}"]
    if "minimum" in node and isinstance(value, int | float) and value < node["minimum"]:
        return [f"{at}: {value} is below {node['minimum']}"]
    found = []
    if isinstance(value, dict):
        properties = node.get("properties", {})
        found += [f"{at}: missing {key}" for key in node.get("required", []) if key not in value]
        for key, item in value.items():
            if key in properties:
                found += errors(item, properties[key], root, f"{at}.{key}")
            elif node.get("additionalProperties") is False:
                found.append(f"{at}: unexpected {key}")
    if isinstance(value, list) and "items" in node:
        for i, item in enumerate(value):
            found += errors(item, node["items"], root, f"{at}[{i}]")
    return found


def validate(value: Any, name: str) -> list[str]:
    document = load(name)
    return errors(value, document, document)


# --- real messages fit ------------------------------------------------------------------------


def _slow(request: Request) -> tuple[Any, float]:
    return min(request.legal_actions or []), 2.5


def _cheat(request: Request) -> tuple[Any, float]:
    return 99, 1.0


def rough_match() -> Recording:
    """Byo-yomi, a timeout, a late answer and an illegal move, round by round."""
    return play(
        [("slowpoke", _slow), ("cheater", _cheat)],
        rounds=2,
        time_control=ByoYomi(base=1.0, periods=1, period=1.0),
        forfeit="round",
        match_id="m2",
    )


RECORDINGS = [tictactoe_match(), rough_match(), play([("alice", alice), ("bob", bob)], rounds=1,
              time_control=PerMove(2.0), match_id="m3")]  # fmt: skip
ENGINE_INFO = {"score": -34, "mate": -3, "depth": 18, "seldepth": 24, "nodes": 10**12,
               "nps": 2_000_000, "time": 0.51, "pv": ["e7e5", "g1f3"], "log": "book miss"}  # fmt: skip
EXTRA_BOT: list[BotMessage] = [
    Hello("carol"),
    Hello("dave", "t", ["tictactoe"], 4),
    Pong(7),
    Action("m1", 3, "e2e4", "thinking out loud"),
    Action("m1", 4, "e2e4", ENGINE_INFO),
]
EXTRA_SERVER: list[ServerMessage] = [
    Welcome("b9", "carol", 1, guest=True),
    Error("unknown_type", "unknown_type: ...", fatal=True),
    Ping(3),
]


def _wire(message: Message) -> Any:
    return json.loads(encode(message))


alice_info = BotInfo("alice", ["tictactoe"], "playing", ["m1"], 2, False, "tcp")
EXTRA_SPECTATOR: list[SpectatorStream] = [
    Lobby([alice_info], [MatchInfo("m1", "tictactoe", ["alice", "bob"], "running", 1, 2)]),
    BotJoined(BotInfo("bob", None, "idle", [])),
    MatchSnapshot("m1", [_wire(e) for e in RECORDINGS[0].events]),
    Error("unknown_match", "no match 'm9'", "m9"),
    Move("m1", 1, 1, 0, "alice", 4, 0.5, info="a log line"),
    Move("m1", 1, 2, 1, "bob", 0, 0.5, info=msgspec.convert(ENGINE_INFO, MoveInfo)),
    Move("m1", 1, 3, 0, "alice", 2, 0.5, info=MoveInfo(score=12.5)),
]


def test_the_rough_match_covers_verdicts_and_errors() -> None:
    recording = rough_match()
    codes = [getattr(line.message, "code", None) for line in recording.lines]
    assert {"timeout", "late_answer", "illegal_action"} <= set(codes)
    assert {type(e).__name__ for e in recording.events} >= {"Forfeit", "RoundResult", "MatchResult"}


def test_real_messages_fit_their_schema() -> None:
    checked = 0
    for recording in RECORDINGS:
        for line in recording.lines:
            name = BOT if line.direction == "to_server" else SERVER
            assert validate(_wire(line.message), name) == [], line
            checked += 1
        for event in recording.events:
            assert validate(_wire(event), EVENTS) == [], event
            checked += 1
    for event in EXTRA_SPECTATOR:
        assert validate(_wire(event), EVENTS) == []
    for command in (Watch("m1"), Unwatch("m1")):
        assert validate(_wire(command), WATCH) == []
    for message in EXTRA_BOT:
        assert validate(_wire(message), BOT) == []
    for reply in EXTRA_SERVER:
        assert validate(_wire(reply), SERVER) == []
    assert checked > 100


def test_the_validator_rejects_what_the_schema_forbids() -> None:
    assert validate({"type": "ready", "match": "m1"}, BOT) == ["$: 0 of the anyOf choices fit"]
    assert validate({"type": "readyy", "match": "m1", "id": 1}, BOT) != []
    assert validate({"type": "ready", "match": "m1", "id": "1"}, BOT) != []
    assert validate({"type": "pong", "id": True}, BOT) != []
    assert validate({"type": "welcome", "bot_id": "b", "name": "n"}, BOT) != []
    target = load(BOT)["$defs"]["Ready"]
    assert errors({"type": "ready", "match": "m1"}, target, load(BOT)) == ["$: missing id"]
    assert validate({"type": "ready", "match": "m1", "id": 1, "later": [1]}, BOT) == []
    action = {"type": "action", "match": "m1", "id": 1, "action": 4}
    assert validate({**action, "info": {"depth": -1}}, BOT) != []
    assert errors({**action, "info": {"depth": -1}}, load(BOT)["$defs"]["Action"], load(BOT)) != []
    assert validate({**action, "info": {"scor": 1}}, BOT) != []
    assert validate({**action, "info": [1]}, BOT) != []
    assert validate({**action, "info": None}, BOT) == []


def test_match_configs_fit_their_schema() -> None:
    configs = [
        MatchConfig(game="tictactoe", bots=["a", "b"]),
        MatchConfig(game="connect4", bots=["a", "b"], rounds=4, time_control=Fischer(), seed=3),
        MatchConfig(game="gomoku", bots=["a", "b"], time_control=ByoYomi(), forfeit="round"),
    ]
    for config in configs:
        assert validate(json.loads(msgspec.json.encode(config)), CONFIG) == []
    assert validate({"game": "x", "bots": [], "colour": "red"}, CONFIG) == ["$: unexpected colour"]
    assert validate({"game": "x"}, CONFIG) == ["$: missing bots"]
