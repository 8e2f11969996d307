"""The contract every game implements, and the errors a game may raise.

A game is a set of pure functions over immutable states: the referee calls
them, bots never see a state, only observations. Nothing here touches a
socket, a database or the wall clock.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar, Generic, Literal, Protocol, TypeVar

import msgspec

from ringside.text import quoted

JSON = Any
"""A value that serialises to JSON (dict, list, str, int, float, bool, None)."""

StateT = TypeVar("StateT")
OptionsT = TypeVar("OptionsT", bound=msgspec.Struct)


class IllegalAction(Exception):
    """An action the rules refuse; ``reason`` is written for the bot's author.

    ``seat`` names the offender where the game knows it (simultaneous moves);
    otherwise the referee blames the seat that sent the action.
    """

    def __init__(self, reason: str, seat: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.seat = seat


class InvalidOptions(ValueError):
    """Game options that do not fit the game (unknown key, wrong type, bad range)."""


class NoOptions(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Options of a game that has none."""


NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}(\.[a-z0-9][a-z0-9_-]{0,39})?")
"""A game's registry name: it is part of URLs, CLI arguments and stored records. A family
of games adapted from elsewhere is one prefix with a dot (``spiel.kuhn_poker``)."""

Information = Literal["perfect", "imperfect"]


@dataclass(frozen=True, kw_only=True)
class GameType:
    """What a game is, known without playing it (after OpenSpiel's ``GameType``).

    The catalogue, the CLI and the web page read these facts; only the rules
    module states them, so adding a game means adding its folder and nothing else.
    """

    name: str
    title: str
    rules: str
    """The rules in a few sentences, for people choosing a game."""
    players: range = range(2, 3)
    simultaneous: bool = False
    seats: tuple[str, ...] = ()
    """What each seat is called ("Black", "White"); a seat past the end is "Seat n"."""
    options: type[msgspec.Struct] = NoOptions
    package: str | None = None
    """The package whose folder holds the game's other files (its ``__name__``)."""
    board: str | None = None
    """The page's renderer: a JavaScript module in the package's folder (``"board.js"``);
    without one the page shows a view as JSON."""
    information: Information = "perfect"
    """``imperfect``: seats hold private information (cards, hidden moves). The referee
    then shows watchers, the lobby and the stored log only ``public_action`` and
    ``view`` (public) while a round runs, and ``revealed_view`` once it ends; such a
    game must implement both (``BaseGame`` has defaults that reveal everything)."""
    chance: bool = False
    """Whether the rules draw at random (dice, deals); draws come from the seed only."""
    facts: tuple[tuple[str, str], ...] = ()
    """Further facts for people choosing a game (name, value), e.g. OpenSpiel's dynamics."""

    def __post_init__(self) -> None:
        if not NAME.fullmatch(self.name):
            raise ValueError(
                "a game name is 1-40 of a-z, 0-9, _ and -, with an optional family prefix"
                f" and a dot (spiel.hex), not {quoted(self.name, 60)}"
            )
        if self.board is not None and self.package is None:
            raise ValueError(f"{self.name}: a board module needs the package that holds it")
        if not (self.players.step == 1 and 0 < self.players.start < self.players.stop):
            raise ValueError(
                f"{self.name}: players must be a range of seat counts like range(2, 3)"
            )

    def seat_label(self, seat: int) -> str:
        return self.seats[seat] if 0 <= seat < len(self.seats) else f"Seat {seat + 1}"

    def options_schema(self) -> JSON:
        """The JSON schema of the options, generated from their struct."""
        return msgspec.json.schema(self.options)

    def board_file(self) -> Path | None:
        """Where the board module is on disk, if the game has one and it is a plain file."""
        if self.board is None or self.package is None:
            return None
        path = resources.files(self.package).joinpath(self.board)
        return path if isinstance(path, Path) and path.is_file() else None


class Game(Protocol):
    """What the referee needs from a game: rules as pure functions of a state.

    ``view`` is what watchers see; it says whose turn it is as ``to_act``, the
    seats ``to_act`` would return ([] once the round is over), so a page that
    draws it needs no rules.
    """

    @property
    def game_type(self) -> GameType: ...

    @property
    def name(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def rules(self) -> str: ...
    @property
    def players(self) -> range: ...
    @property
    def simultaneous(self) -> bool: ...

    def start(
        self,
        players: int,
        seed: int,
        options: Mapping[str, JSON],
        round_number: int = 1,
    ) -> Any: ...
    def to_act(self, state: Any) -> Sequence[int]: ...
    def observation(self, state: Any, seat: int) -> JSON: ...
    def legal_actions(self, state: Any, seat: int) -> Sequence[JSON] | None: ...
    def apply(self, state: Any, actions: Mapping[int, JSON]) -> Any: ...
    def is_over(self, state: Any) -> bool: ...
    def scores(self, state: Any) -> Sequence[float]: ...
    def view(self, state: Any) -> JSON: ...
    def options_schema(self) -> JSON: ...


class HiddenInformation(Protocol):
    """What a game with ``information="imperfect"`` adds, so that only its public part is
    shown while a round runs: ``view`` is then the public view (watchers, the lobby, the
    stored log) and ``revealed_view`` the whole position, shown once the round ends."""

    def public_action(self, before: Any, seat: int, action: JSON) -> JSON:
        """What watchers may see of ``seat`` playing ``action`` in state ``before``
        (``None`` when nothing of it is public)."""
        ...

    def revealed_view(self, state: Any) -> JSON: ...


class BaseGame(Generic[StateT, OptionsT]):
    """Shared plumbing: option parsing, player-count checks, turn checks, the
    turn in the view.

    Subclasses set ``game_type`` and implement the rules methods and
    ``describe``; ``start`` validates its inputs and calls ``new_state``.
    """

    game_type: ClassVar[GameType]

    # The static facts, as the referee and the Game protocol read them.
    @property
    def name(self) -> str:
        return self.game_type.name

    @property
    def title(self) -> str:
        return self.game_type.title

    @property
    def rules(self) -> str:
        return self.game_type.rules

    @property
    def players(self) -> range:
        return self.game_type.players

    @property
    def simultaneous(self) -> bool:
        return self.game_type.simultaneous

    def parse_options(self, options: Mapping[str, JSON] | None) -> OptionsT:
        try:
            parsed = msgspec.convert(dict(options or {}), type=self.game_type.options)
        except msgspec.ValidationError as exc:
            raise InvalidOptions(f"{self.name}: {exc}") from None
        self.check_options(parsed)  # type: ignore[arg-type]
        return parsed  # type: ignore[return-value]

    def check_options(self, options: OptionsT) -> None:
        """Range checks msgspec cannot express; raise InvalidOptions."""

    def options_schema(self) -> JSON:
        return self.game_type.options_schema()

    def start(
        self,
        players: int,
        seed: int,
        options: Mapping[str, JSON] | None = None,
        round_number: int = 1,
    ) -> StateT:
        if players not in self.players:
            lo, hi = self.players.start, self.players.stop - 1
            wanted = str(lo) if lo == hi else f"{lo} to {hi}"
            raise InvalidOptions(f"{self.name} is played by {wanted} players, not {players}")
        return self.new_round_state(players, seed, self.parse_options(options), round_number)

    def new_round_state(
        self, players: int, seed: int, options: OptionsT, round_number: int
    ) -> StateT:
        """The start of round ``round_number`` of a match; most games ignore the round."""
        return self.new_state(players, seed, options)

    def new_state(self, players: int, seed: int, options: OptionsT) -> StateT:
        raise NotImplementedError

    def apply(self, state: StateT, actions: Mapping[int, JSON]) -> StateT:
        expected = self.to_act(state)
        if not expected and self.is_over(state):
            raise IllegalAction("the game is over")
        for seat in actions:
            if seat not in expected:
                raise IllegalAction("not your turn", seat=seat)
        if len(actions) < len(expected):
            missing = [s for s in expected if s not in actions]
            raise IllegalAction(f"waiting for seat {missing[0]} to act", seat=missing[0])
        return self.play(state, actions if type(actions) is dict else dict(actions))

    def play(self, state: StateT, actions: dict[int, JSON]) -> StateT:
        """Apply actions already known to come from the seats to act (read ``actions``
        only: it may be the caller's own dict)."""
        raise NotImplementedError

    def to_act(self, state: StateT) -> Sequence[int]:
        raise NotImplementedError

    def is_over(self, state: StateT) -> bool:
        raise NotImplementedError

    def view(self, state: StateT) -> JSON:
        """``describe``'s picture of the position, with whose turn it is (``to_act``)."""
        picture = self.describe(state)
        picture["to_act"] = list(self.to_act(state))
        return picture

    def describe(self, state: StateT) -> dict[str, JSON]:
        """What watchers see of a position, for the game's board module to draw."""
        raise NotImplementedError

    def scores_now(self, state: StateT) -> Sequence[float] | None:
        """The seats' scores of an unfinished position, for a round stopped at the match's
        ``max_plies``; None (the default) when the game cannot score one: a draw then."""
        return None

    def public_action(self, before: StateT, seat: int, action: JSON) -> JSON:
        """What watchers see of a move while the round runs: all of it, unless the game
        has hidden information and says otherwise."""
        return action

    def revealed_view(self, state: StateT) -> JSON:
        """The whole position, shown when the round ends (``view`` for a game that hides nothing)."""
        return self.view(state)


def require_int(action: JSON, what: str, lo: int, hi: int) -> int:
    """Return ``action`` as an int in [lo, hi] or raise a readable IllegalAction."""
    if isinstance(action, bool) or not isinstance(action, int):
        raise IllegalAction(
            f"{what} must be an integer from {lo} to {hi}, got {quoted(action, 40)}"
        )
    if not lo <= action <= hi:
        raise IllegalAction(f"{what} {action} is out of range ({lo} to {hi})")
    return action
