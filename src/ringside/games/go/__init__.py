"""Go on a 9x9 to 19x19 board: area scoring, komi, positional superko, suicide forbidden.

Actions are GTP vertices, the notation every Go engine speaks: a column
letter ``A``-``T`` **without** ``I`` and a row number counted from the
**bottom** (``D4``, ``K10``), or ``"pass"`` or ``"resign"``. Only that
spelling (upper-case letter, lower-case words) is accepted, so each move has
one form in the log; the GTP bridge translates an engine's ``PASS``/``d4``.

Seat 0 plays black and moves first. Boards in observations and views are
lists of rows from the **top** row (row ``size``) down to row 1, each cell
the seat owning the stone or ``null``, so ``board[size - row][column]``.

Rules: Tromp-Taylor with suicide forbidden, as on CGOS (KataGo names them
``koPOSITIONALscoreAREAtaxNONEsui0``): a move may not leave its own group
without liberties (suicide is illegal) and may not recreate any earlier
whole-board position (positional superko; positions are compared by 64-bit
Zobrist hashes). Two passes in a row end the game, ``resign`` ends it at once.
Score is area: stones plus empty regions that touch only one colour; white
adds ``komi``. **Every stone on the board counts as alive**: there is no
dead-stone removal and no agreement, so engines must play dead stones out
(capture them) before passing. That is not Chinese or Japanese scoring, where
dead stones are removed first: run GNU Go with ``--chinese-rules
--capture-all-dead``, and the GTP bridge asks engines for
``kgs-genmove_cleanup`` moves after a pass. Options: ``handicap`` black stones
on GTP's fixed points (white then starts, no compensation beyond ``komi``) and
``max_moves`` (the game is scored as it stands after that many moves). The
default board is 9x9 (fast enough to try a bot in seconds); ``size`` takes 9
to 19.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

import msgspec

from ringside.games.base import JSON, BaseGame, GameType, IllegalAction, InvalidOptions
from ringside.text import quoted

MIN_SIZE, MAX_SIZE = 9, 19
LETTERS = "ABCDEFGHJKLMNOPQRST"  # GTP skips I
PASS, RESIGN = "pass", "resign"
COLOURS = ("black", "white")
MAX_KOMI = 150.0
RULES = "koPOSITIONALscoreAREAtaxNONEsui0"
"""The rule set as an SGF ``RU`` value: KataGo's name for it, which KataGo reads back."""
RULES_TEXT = (
    "Tromp-Taylor rules with suicide forbidden: area scoring, every stone on the board "
    "counts as alive (no dead-stone removal: play dead stones out), positional superko"
)
"""The rule set in words, for people and for record comments."""


class GoOptions(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    size: int = 9
    komi: float = 7.5
    handicap: int = 0
    """Black stones placed before the first move, at GTP's fixed points; white then starts."""
    max_moves: int = 0
    """Moves (passes included) after which the game ends and is scored; 0: no cap."""
    openings: list[str] = []
    """Openings, each GTP vertices (or ``pass``) separated by spaces, played alternately
    from the start (after any handicap) before the bots move: rounds 1-2 play the first,
    3-4 the next (cycling), so each is played with both colours. ``max_moves`` counts them."""


def handicap_points(size: int, count: int) -> tuple[str, ...]:
    """GTP's ``fixed_handicap`` vertices: 2-4 on any board, up to 9 on odd sizes."""
    if count == 0:
        return ()
    low = 3 if size <= 11 else 4  # as GNU Go, the reference implementation of GTP
    high, middle = size + 1 - low, (size + 1) // 2
    corners = [(low, low), (high, high), (low, high), (high, low)]
    sides = [(low, middle), (high, middle), (middle, low), (middle, high)]
    points = corners[: min(count, 4)]
    if count > 4:
        points += sides[: count - 4 - count % 2]
        if count % 2:
            points.append((middle, middle))
    return tuple(f"{LETTERS[x - 1]}{y}" for x, y in points)


def max_handicap(size: int) -> int:
    return 9 if size % 2 else 4


@dataclass(frozen=True, slots=True)
class GoState:
    size: int
    komi: float
    handicap: tuple[str, ...]
    """The black stones placed before the first move (white moves first then)."""
    max_moves: int
    board: tuple[int | None, ...]  # row-major from the top-left; index = (size - row) * size + col
    to_move: int
    moves: tuple[str, ...]
    hash: int
    history: frozenset[int]
    """Zobrist hashes of every position so far (positional superko)."""
    passes: int
    """Consecutive passes just played."""
    captures: tuple[int, int]
    """Stones captured so far by black and by white."""
    captured: tuple[int, ...]
    """Points emptied by the last move."""
    resigned: int | None
    seed: int
    opening: tuple[str, ...] = ()
    """The first moves, the opening's (played by the server, not by the bots)."""
    cache: dict[str, object] = field(default_factory=dict, compare=False, repr=False)
    """Legal points, worked out once per state when first asked."""


@cache
def vertex_names(size: int) -> tuple[str, ...]:
    return tuple(f"{LETTERS[i % size]}{size - i // size}" for i in range(size * size))


@cache
def vertex_index(size: int) -> dict[str, int]:
    return {name: i for i, name in enumerate(vertex_names(size))}


@cache
def neighbours(size: int) -> tuple[tuple[int, ...], ...]:
    result = []
    for i in range(size * size):
        r, c = divmod(i, size)
        near = [(r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)]
        result.append(tuple(y * size + x for y, x in near if 0 <= y < size and 0 <= x < size))
    return tuple(result)


@cache
def zobrist(size: int) -> tuple[tuple[int, int], ...]:
    """A fixed random key per point and colour, the same in every process."""
    rng = random.Random(f"ringside-go-{size}")
    return tuple((rng.getrandbits(64), rng.getrandbits(64)) for _ in range(size * size))


def groups(
    board: Sequence[int | None], size: int
) -> tuple[list[int], list[tuple[int, ...]], list[set[int]]]:
    """Each point's group id (-1 when empty), and each group's stones and liberties."""
    near = neighbours(size)
    owner = [-1] * len(board)
    stones: list[tuple[int, ...]] = []
    liberties: list[set[int]] = []
    for start, colour in enumerate(board):
        if colour is None or owner[start] >= 0:
            continue
        gid = len(stones)
        owner[start] = gid
        todo, found, libs = [start], [start], set()
        while todo:
            point = todo.pop()
            for n in near[point]:
                if board[n] is None:
                    libs.add(n)
                elif board[n] == colour and owner[n] < 0:
                    owner[n] = gid
                    todo.append(n)
                    found.append(n)
        stones.append(tuple(found))
        liberties.append(libs)
    return owner, stones, liberties


def area(board: Sequence[int | None], size: int) -> tuple[int, int]:
    """Area score without komi: stones plus empty regions reaching only that colour."""
    near = neighbours(size)
    points = [board.count(0), board.count(1)]
    seen = [False] * len(board)
    for start, colour in enumerate(board):
        if colour is not None or seen[start]:
            continue
        seen[start] = True
        todo, region = [start], 1
        borders: set[int] = set()
        while todo:
            point = todo.pop()
            for n in near[point]:
                stone = board[n]
                if stone is not None:
                    borders.add(stone)
                elif not seen[n]:
                    seen[n] = True
                    region += 1
                    todo.append(n)
        if len(borders) == 1:
            points[borders.pop()] += region
    return points[0], points[1]


TYPE = GameType(
    name="go",
    title="Go",
    rules=(
        "Two players place stones on a 9x9 board (option size, 9-19); black (seat 0) starts. "
        "Moves are GTP vertices like D4 (no column I, row 1 at the bottom), pass or resign. "
        "Suicide is illegal and no move may repeat an earlier position (positional superko). "
        "Two passes end the game (or option max_moves, then scored as it stands); area "
        "scoring, white gets komi (option komi, default 7.5). Option handicap places 2-9 "
        "black stones at the fixed points and white starts. "
        "Every stone left on the board counts as alive (Tromp-Taylor): capture dead stones "
        "before passing."
    ),
    seats=("Black", "White"),
    options=GoOptions,
    package=__name__,
    board="board.js",
    facts=(
        ("rules", "Tromp-Taylor, suicide forbidden (koPOSITIONALscoreAREAtaxNONEsui0)"),
        ("scoring", "area; every stone on the board is alive (no dead-stone removal)"),
        ("ko", "positional superko"),
    ),
)


class Go(BaseGame[GoState, GoOptions]):
    game_type = TYPE

    def check_options(self, options: GoOptions) -> None:
        if not MIN_SIZE <= options.size <= MAX_SIZE:
            raise InvalidOptions(f"go: size must be from {MIN_SIZE} to {MAX_SIZE}")
        komi = options.komi
        if not math.isfinite(komi) or abs(komi) > MAX_KOMI or (komi * 2) % 1:
            raise InvalidOptions(f"go: komi must be a multiple of 0.5 within ±{MAX_KOMI:g}")
        most = max_handicap(options.size)
        if options.handicap != 0 and not 2 <= options.handicap <= most:
            raise InvalidOptions(
                f"go: handicap must be 0 or from 2 to {most} on a {options.size}x{options.size} board"
            )
        if options.max_moves < 0:
            raise InvalidOptions("go: max_moves must be 0 (no cap) or a positive number of moves")
        for text in options.openings:
            self._opened(self.new_state(2, 0, options), text)

    def new_state(self, players: int, seed: int, options: GoOptions) -> GoState:
        n = options.size
        stones = handicap_points(n, options.handicap)
        board: list[int | None] = [None] * (n * n)
        start = 0
        for name in stones:
            point = vertex_index(n)[name]
            board[point] = 0
            start ^= zobrist(n)[point][0]
        return GoState(
            size=n,
            komi=float(options.komi),
            handicap=stones,
            max_moves=options.max_moves,
            board=tuple(board),
            to_move=1 if stones else 0,
            moves=(),
            hash=start,
            history=frozenset({start}),
            passes=0,
            captures=(0, 0),
            captured=(),
            resigned=None,
            seed=seed,
        )

    # --- legality -------------------------------------------------------------------------

    def _analysis(self, state: GoState) -> tuple[list[int], list[tuple[int, ...]], list[set[int]]]:
        found = state.cache.get("groups")
        if found is None:
            found = state.cache["groups"] = groups(state.board, state.size)
        return found  # type: ignore[return-value]

    def _try(self, state: GoState, point: int) -> tuple[int, tuple[int, ...]] | str:
        """(new hash, captured points) of a stone on ``point``, or why it is illegal."""
        if state.board[point] is not None:
            return "occupied"
        colour = state.to_move
        owner, stones, liberties = self._analysis(state)
        keys = zobrist(state.size)
        breathes = False
        captured: set[int] = set()
        for n in neighbours(state.size)[point]:
            stone = state.board[n]
            if stone is None:
                breathes = True
            elif stone == colour:
                breathes = breathes or len(liberties[owner[n]]) > 1
            elif len(liberties[owner[n]]) == 1:
                captured.update(stones[owner[n]])
        if not breathes and not captured:
            return "suicide"
        new_hash = state.hash ^ keys[point][colour]
        for q in captured:
            new_hash ^= keys[q][1 - colour]
        if new_hash in state.history:
            return "superko"
        return new_hash, tuple(sorted(captured))

    def legal_points(self, state: GoState) -> tuple[int, ...]:
        found = state.cache.get("legal")
        if found is None:
            empty = (i for i, stone in enumerate(state.board) if stone is None)
            found = state.cache["legal"] = tuple(
                i for i in empty if not isinstance(self._try(state, i), str)
            )
        return found  # type: ignore[return-value]

    # --- the game -----------------------------------------------------------------------------

    def to_act(self, state: GoState) -> Sequence[int]:
        return () if self.is_over(state) else (state.to_move,)

    def legal_actions(self, state: GoState, seat: int) -> list[str]:
        if self.is_over(state) or seat != state.to_move:
            return []
        names = vertex_names(state.size)
        return [*(names[i] for i in self.legal_points(state)), PASS, RESIGN]

    def play(self, state: GoState, actions: dict[int, JSON]) -> GoState:
        seat, action = next(iter(actions.items()))
        if action == RESIGN:
            return self._next(state, action, resigned=seat)
        if action == PASS:
            return self._next(state, action, passes=state.passes + 1)
        size = state.size
        point = vertex_index(size).get(action) if isinstance(action, str) else None
        if point is None:
            raise IllegalAction(
                f'a move must be a vertex like "D4" (column A-{LETTERS[size - 1]} without I, '
                f'row 1-{size} from the bottom), "pass" or "resign", got {quoted(action, 40)}'
            )
        tried = self._try(state, point)
        if isinstance(tried, str):
            why = {
                "occupied": f"{action} is occupied",
                "suicide": f"{action} is suicide (the stone would have no liberty)",
                "superko": f"{action} repeats an earlier position (superko)",
            }
            raise IllegalAction(why[tried])
        new_hash, captured = tried
        board = list(state.board)
        board[point] = seat
        for q in captured:
            board[q] = None
        captures = list(state.captures)
        captures[seat] += len(captured)
        return self._next(
            state,
            action,
            board=tuple(board),
            new_hash=new_hash,
            captures=(captures[0], captures[1]),
            captured=captured,
        )

    def _next(
        self,
        state: GoState,
        action: str,
        *,
        board: tuple[int | None, ...] | None = None,
        new_hash: int | None = None,
        passes: int = 0,
        captures: tuple[int, int] | None = None,
        captured: tuple[int, ...] = (),
        resigned: int | None = None,
    ) -> GoState:
        return GoState(
            size=state.size,
            komi=state.komi,
            handicap=state.handicap,
            max_moves=state.max_moves,
            board=state.board if board is None else board,
            to_move=1 - state.to_move,
            moves=(*state.moves, action),
            hash=state.hash if new_hash is None else new_hash,
            history=state.history if new_hash is None else state.history | {new_hash},
            passes=passes,
            captures=state.captures if captures is None else captures,
            captured=captured,
            resigned=resigned,
            seed=state.seed,
            opening=state.opening,
        )

    def new_round_state(
        self, players: int, seed: int, options: GoOptions, round_number: int
    ) -> GoState:
        state = self.new_state(players, seed, options)
        if not options.openings:
            return state
        count = len(options.openings)
        text = options.openings[((max(1, round_number) - 1) // 2) % count]
        return self._opened(state, text)

    def _opened(self, state: GoState, text: str) -> GoState:
        """``state`` after the opening ``text``; InvalidOptions when it cannot be played."""
        for vertex in text.split():
            if vertex == RESIGN or self.is_over(state):
                raise InvalidOptions(f"go: opening {quoted(text, 60)} ends the game")
            try:
                state = self.play(state, {state.to_move: vertex})
            except IllegalAction as exc:
                raise InvalidOptions(f"go: opening {quoted(text, 60)}: {exc}") from None
        if self.is_over(state):
            raise InvalidOptions(f"go: opening {quoted(text, 60)} ends the game")
        return dataclasses.replace(state, opening=state.moves, cache={})

    def is_over(self, state: GoState) -> bool:
        """Resigned, two passes in a row, or ``max_moves`` played (then scored as it stands)."""
        if state.resigned is not None or state.passes >= 2:
            return True
        return 0 < state.max_moves <= len(state.moves)

    def score(self, state: GoState) -> tuple[float, float]:
        """Black's and white's points: area, komi added to white."""
        black, white = area(state.board, state.size)
        return float(black), white + state.komi

    def winner(self, state: GoState) -> int | None:
        if state.resigned is not None:
            return 1 - state.resigned
        if not self.is_over(state):
            return None
        black, white = self.score(state)
        return None if black == white else (0 if black > white else 1)

    def result(self, state: GoState) -> str | None:
        """The result as SGF writes it: ``B+3.5``, ``W+R`` (resignation), ``0`` (a tie)."""
        if not self.is_over(state):
            return None
        winner = self.winner(state)
        if winner is None:
            return "0"
        if state.resigned is not None:
            return f"{'BW'[winner]}+R"
        black, white = self.score(state)
        return f"{'BW'[winner]}+{abs(black - white):g}"

    def scores(self, state: GoState) -> list[float]:
        winner = self.winner(state)
        if winner is None:
            return [0.5, 0.5]
        return [1.0 if seat == winner else 0.0 for seat in (0, 1)]

    def scores_now(self, state: GoState) -> list[float]:
        """Area scoring of the board as it stands, for a round stopped at ``max_plies``."""
        if self.is_over(state):
            return self.scores(state)
        black, white = self.score(state)
        return [0.5, 0.5] if black == white else [float(black > white), float(white > black)]

    def rows(self, state: GoState) -> list[list[int | None]]:
        n = state.size
        return [list(state.board[r * n : (r + 1) * n]) for r in range(n)]

    def observation(self, state: GoState, seat: int) -> JSON:
        """The whole board (Go hides nothing), the options and every move so far."""
        return {
            "board": self.rows(state),
            "size": state.size,
            "komi": state.komi,
            "you": seat,
            "colour": COLOURS[seat],
            "to_move": None if self.is_over(state) else state.to_move,
            "moves": list(state.moves),
            "captures": list(state.captures),
            "handicap": list(state.handicap),
        }

    def describe(self, state: GoState) -> dict[str, JSON]:
        """Board, last move and the stones it took; the score and result once over."""
        names = vertex_names(state.size)
        over = self.is_over(state)
        last = state.moves[-1] if state.moves else None
        return {
            "board": self.rows(state),
            "size": state.size,
            "komi": state.komi,
            "to_move": None if over else state.to_move,
            "last": last,
            "captured": _names(names, state.captured),
            "captures": list(state.captures),
            "handicap": list(state.handicap),
            "score": list(self.score(state)) if over else None,
            "winner": self.winner(state),
            "result": self.result(state),
            **({"opening": list(state.opening)} if state.opening else {}),
        }


def _names(names: Sequence[str], points: Iterable[int]) -> list[str]:
    return [names[i] for i in points]


GAME = Go()
