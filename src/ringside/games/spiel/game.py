"""One OpenSpiel game as a Ringside game: pure functions over frozen states.

A ``SpielState`` holds a pyspiel state that is never mutated once the
``SpielState`` exists: ``apply`` clones it, plays the seats' actions on the
clone, then resolves every chance node from the round's seed (the referee
never sees chance) and plays the simultaneous nodes where nobody has a choice.
The k-th chance draw of a round takes ``u`` from a hash of (seed, k) and picks
the outcome whose cumulative probability first exceeds it, so a round replays
exactly from its seed and actions.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from hashlib import blake2b
from typing import Any

import msgspec
import pyspiel

from ringside.games.base import JSON, BaseGame, GameType, IllegalAction, InvalidOptions
from ringside.games.spiel.boards import BOARDS
from ringside.games.spiel.facts import PLAYERS, SEED_PARAMETERS, game_type
from ringside.text import quoted

CHANCE = -1
INVALID_ACTION = -1
ROUND_SEEDS = 2**63
SHOWN_LEGAL = 6
"""How many legal actions an IllegalAction message names."""


def chance_draw(seed: int, k: int) -> float:
    """The k-th chance draw of a round, uniform in [0, 1): the contract's formula."""
    digest = blake2b(f"{seed}:{k}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def derived(seed: int, what: str, modulo: int) -> int:
    digest = blake2b(f"{seed}:{what}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % modulo


def chance_seed(seed: int, round_number: int, duplicate: bool) -> int:
    """The seed of a round's chance draws: the referee's round seed, or with ``duplicate``
    one shared by rounds 1-2, 3-4, ... (the referee passes ``S * 1_000_003 + round``)."""
    if not duplicate:
        return seed
    match_seed = (seed - round_number) % ROUND_SEEDS
    return derived(match_seed, f"pair:{(round_number + 1) // 2}", ROUND_SEEDS)


def readable(error: Exception) -> str:
    """OpenSpiel's message without the source file and line it may start with."""
    text = str(error).strip()
    if text.startswith("/") and " " in text:
        text = text.split(" ", 1)[1]
    return text


@dataclass(slots=True, eq=False)
class Loaded:
    """A pyspiel game loaded with one set of parameters, and what is read from it once."""

    game: Any
    text: str
    min_utility: float
    max_utility: float
    observation_string: bool
    information_state_string: bool
    observation_tensor: bool
    public_observer: Any = None
    tried_observer: bool = False

    def public_text(self, state: Any) -> str | None:
        """The text of a public-information observer, where the game has one."""
        if not self.tried_observer:
            self.tried_observer = True
            self.public_observer = public_observer(self.game)
        if self.public_observer is None:
            return None
        try:
            return str(self.public_observer.string_from(state, 0))
        except pyspiel.SpielError:
            return None


PUBLIC_OBSERVERS = frozenset({"kuhn_poker", "leduc_poker", "gin_rummy", "coordinated_mp"})
"""Games whose public-information observer works. Asking any other game of OpenSpiel 2.0.2
for one crashes the process (a segmentation fault, not an exception), so this is a list
checked by a test (in a subprocess) rather than a guess at run time."""


def public_observer(game: Any) -> Any:
    if game.get_type().short_name not in PUBLIC_OBSERVERS:
        return None
    try:
        kind = pyspiel.IIGObservationType(
            perfect_recall=False, public_info=True, private_info=pyspiel.PrivateInfoType.NONE
        )
        observation = pyspiel._Observation(game, game.make_observer(kind, {}))
        return observation if observation.has_string() else None
    except (pyspiel.SpielError, RuntimeError):
        return None


@functools.lru_cache(maxsize=256)
def load(name: str, params: tuple[tuple[str, Any], ...]) -> Loaded:
    """The game ``name`` with ``params``; InvalidOptions with OpenSpiel's reason."""
    try:
        game = pyspiel.load_game(name, dict(params))
    except pyspiel.SpielError as exc:
        raise InvalidOptions(f"spiel.{name}: {readable(exc)}") from None
    kind = game.get_type()
    try:
        lo, hi = float(game.min_utility()), float(game.max_utility())
    except pyspiel.SpielError:
        lo = hi = 0.0
    return Loaded(
        game,
        str(game),
        lo,
        hi,
        bool(kind.provides_observation_string),
        bool(kind.provides_information_state_string),
        bool(kind.provides_observation_tensor),
    )


@dataclass(frozen=True, slots=True, eq=False)
class SpielState:
    """A position of a round; ``spiel`` is never mutated (``apply`` clones it)."""

    loaded: Loaded
    spiel: Any
    seed: int
    """The seed of this round's chance draws."""
    draws: int
    """Chance draws made so far in the round."""
    steps: tuple[dict[str, JSON], ...]
    """Every step of the round, chance included, as the revealed view lists them (shared
    between states, never mutated)."""
    asked: tuple[int, ...]
    legal: Mapping[int, tuple[int, ...]]
    tensor: bool
    names: dict[int, list[str]] = field(default_factory=dict, repr=False)
    """A cache of ``legal_names`` per seat, filled when first asked for."""


def settle(
    loaded: Loaded,
    spiel: Any,
    seed: int,
    draws: int,
    steps: list[dict[str, JSON]],
    tensor: bool,
) -> SpielState:
    """Play chance and choiceless simultaneous nodes on ``spiel`` (a clone nobody else
    holds), then freeze it with the seats to ask and their legal actions."""
    players = spiel.num_players()
    while not spiel.is_terminal():
        if spiel.is_chance_node():
            u = chance_draw(seed, draws)
            draws += 1
            outcomes = spiel.chance_outcomes()
            action = outcomes[-1][0]
            total = 0.0
            for outcome, probability in outcomes:
                total += probability
                if total > u:
                    action = outcome
                    break
            name = spiel.action_to_string(CHANCE, action)
            steps.append({"seat": CHANCE, "action": action, "name": name, "chance": True})
            spiel.apply_action(action)
        elif spiel.is_simultaneous_node():
            legal = {p: tuple(spiel.legal_actions(p)) for p in range(players)}
            asked = tuple(p for p in range(players) if len(legal[p]) > 1)
            if asked:
                return SpielState(loaded, spiel, seed, draws, tuple(steps), asked, legal, tensor)
            joint = [legal[p][0] if legal[p] else INVALID_ACTION for p in range(players)]
            steps.extend(_joint_steps(spiel, joint))
            spiel.apply_actions(joint)
        else:
            seat = spiel.current_player()
            legal = {seat: tuple(spiel.legal_actions(seat))}
            return SpielState(loaded, spiel, seed, draws, tuple(steps), (seat,), legal, tensor)
    return SpielState(loaded, spiel, seed, draws, tuple(steps), (), {}, tensor)


def _joint_steps(spiel: Any, joint: Sequence[int]) -> list[dict[str, JSON]]:
    return [
        {
            "seat": p,
            "action": a,
            "name": None if a == INVALID_ACTION else spiel.action_to_string(p, a),
        }
        for p, a in enumerate(joint)
    ]


class SpielGame(BaseGame[SpielState, msgspec.Struct]):
    """``spiel.<name>``: the OpenSpiel game ``name`` behind Ringside's referee."""

    def __init__(self, short_name: str, game: Any) -> None:
        self.short_name = short_name
        self.game_type: GameType = game_type(short_name, game)  # type: ignore[misc]
        kind = game.get_type()
        spec = kind.parameter_specification
        self.has_players = PLAYERS in spec
        self.defaults: dict[str, Any] = dict(spec)
        self.perfect = self.game_type.information == "perfect"
        self.board = BOARDS.get(short_name)
        self.parameter_of = {
            f.name: f.encode_name for f in msgspec.structs.fields(self.game_type.options)
        }

    # --- setting up a round -------------------------------------------------------------

    def params(self, players: int, options: msgspec.Struct, seed: int) -> dict[str, Any]:
        """OpenSpiel's parameters for a round: the options that differ from the game's
        defaults, ``players``, and a seed parameter derived from ``seed``."""
        chosen = msgspec.structs.asdict(options)
        params: dict[str, Any] = {}
        for attribute, value in chosen.items():
            name = self.parameter_of.get(attribute)
            if name is None or name not in self.defaults:
                continue
            if name in SEED_PARAMETERS and value == self.defaults[name]:
                params[name] = derived(seed, name, 2**31)
            elif value != self.defaults[name]:
                params[name] = value
        if self.has_players:
            params[PLAYERS] = players
        return params

    def loaded(self, players: int, options: msgspec.Struct, seed: int) -> Loaded:
        params = self.params(players, options, seed)
        loaded = load(self.short_name, tuple(sorted(params.items())))
        if loaded.game.num_players() != players:
            raise InvalidOptions(
                f"{self.name} with these options is played by {loaded.game.num_players()}"
                f" players, not {players}"
            )
        return loaded

    def new_round_state(
        self, players: int, seed: int, options: msgspec.Struct, round_number: int
    ) -> SpielState:
        draw_seed = chance_seed(seed, round_number, bool(getattr(options, "duplicate", False)))
        loaded = self.loaded(players, options, draw_seed)
        tensor = bool(getattr(options, "tensor", False))
        try:
            return settle(loaded, loaded.game.new_initial_state(), draw_seed, 0, [], tensor)
        except pyspiel.SpielError as exc:  # parameters OpenSpiel loads but cannot deal with
            raise InvalidOptions(f"{self.name}: {readable(exc)}") from None

    # --- the rules ------------------------------------------------------------------------

    def to_act(self, state: SpielState) -> Sequence[int]:
        return state.asked

    def is_over(self, state: SpielState) -> bool:
        return bool(state.spiel.is_terminal())

    def legal_actions(self, state: SpielState, seat: int) -> list[int]:
        return list(state.legal.get(seat, ()))

    def legal_names(self, state: SpielState, seat: int) -> list[str]:
        """``action_to_string`` of each legal action of ``seat``, computed once per state."""
        names = state.names.get(seat)
        if names is None:
            spiel = state.spiel
            names = [spiel.action_to_string(seat, a) for a in state.legal.get(seat, ())]
            state.names[seat] = names
        return names

    def action_of(self, state: SpielState, seat: int, action: JSON) -> int:
        """The action number ``action`` stands for: a legal number, or a legal action's
        exact name; IllegalAction naming a few legal ones otherwise."""
        legal = state.legal.get(seat, ())
        if type(action) is int:
            if action in legal:
                return action
        elif isinstance(action, str):
            names = self.legal_names(state, seat)
            if action in names:
                return legal[names.index(action)]
        names = self.legal_names(state, seat)
        shown = ", ".join(f"{a} ({n})" for a, n in zip(legal, names, strict=True))
        if len(legal) > SHOWN_LEGAL:
            shown = ", ".join(
                f"{a} ({n})" for a, n in zip(legal[:SHOWN_LEGAL], names, strict=False)
            )
            shown += f" and {len(legal) - SHOWN_LEGAL} more"
        raise IllegalAction(
            f"{quoted(action, 40)} is not a legal action here; send a number from"
            f" legal_actions or its exact name from legal_names: {shown}",
            seat=seat,
        )

    def play(self, state: SpielState, actions: dict[int, JSON]) -> SpielState:
        spiel = state.spiel
        steps = list(state.steps)
        if spiel.is_simultaneous_node():
            chosen = {seat: self.action_of(state, seat, a) for seat, a in sorted(actions.items())}
            joint = []
            for p in range(spiel.num_players()):
                legal = state.legal.get(p, ())
                joint.append(chosen.get(p, legal[0] if legal else INVALID_ACTION))
            steps.extend(_joint_steps(spiel, joint))
            child = spiel.clone()
            child.apply_actions(joint)
        else:
            seat, sent = next(iter(actions.items()))
            action = self.action_of(state, seat, sent)
            names = state.names.get(seat)
            name = (
                names[state.legal[seat].index(action)]
                if names is not None
                else spiel.action_to_string(seat, action)
            )
            steps.append({"seat": seat, "action": action, "name": name})
            child = spiel.clone()
            child.apply_action(action)
        return settle(state.loaded, child, state.seed, state.draws, steps, state.tensor)

    def scores(self, state: SpielState) -> list[float]:
        """OpenSpiel's returns mapped to 0..1 with the game's utility bounds."""
        lo, hi = state.loaded.min_utility, state.loaded.max_utility
        returns = state.spiel.returns()
        if not hi > lo:
            return [0.5] * len(returns)
        return [min(1.0, max(0.0, (r - lo) / (hi - lo))) for r in returns]

    # --- what a seat sees ---------------------------------------------------------------

    def observation(self, state: SpielState, seat: int) -> JSON:
        """The seat's own observation and information state, never ``str(state)``."""
        loaded, spiel = state.loaded, state.spiel
        seen: dict[str, JSON] = {
            "game": self.name,
            "game_string": loaded.text,
            "seat": seat,
            "observation": _text(spiel.observation_string, seat)
            if loaded.observation_string
            else None,
            "information_state": _text(spiel.information_state_string, seat)
            if loaded.information_state_string
            else None,
            "legal_names": self.legal_names(state, seat),
        }
        if self.perfect:
            seen["history"] = list(spiel.history())
        if state.tensor:
            seen["tensor"] = (
                list(spiel.observation_tensor(seat)) if loaded.observation_tensor else None
            )
        return seen

    # --- what watchers see --------------------------------------------------------------

    def view(self, state: SpielState) -> JSON:
        """The public view while an imperfect-information round runs, else everything."""
        if self.perfect or state.spiel.is_terminal():
            return self.revealed_view(state)
        return {
            "game": self.short_name,
            "public": True,
            "text": state.loaded.public_text(state.spiel),
            "history": [_hidden(step) for step in state.steps],
            "to_act": list(state.asked),
        }

    def revealed_view(self, state: SpielState) -> JSON:
        spiel = state.spiel
        picture: dict[str, JSON] = {
            "game": self.short_name,
            "public": False,
            "text": str(spiel),
            "history": list(state.steps),
            "to_act": list(state.asked),
        }
        if spiel.is_terminal():
            picture["returns"] = list(spiel.returns())
        if self.board is not None:
            picture["board"] = self.board(spiel)
        return picture

    def public_action(self, before: SpielState, seat: int, action: JSON) -> JSON:
        """A move is public in a perfect-information game only; the public view's text
        says what others see of it (a bet, say)."""
        return action if self.perfect else None

    def describe(self, state: SpielState) -> dict[str, JSON]:
        view = self.view(state)
        assert isinstance(view, dict)
        return view


def _text(method: Any, seat: int) -> str | None:
    try:
        return str(method(seat))
    except pyspiel.SpielError:
        return None


def _hidden(step: dict[str, JSON]) -> dict[str, JSON]:
    hidden: dict[str, JSON] = {"seat": step["seat"], "action": None, "name": None}
    if step.get("chance"):
        hidden["chance"] = True
    return hidden
