"""A tournament as a plain object: results go in, the next games to play come out.

The server's tournament runner asks :meth:`Tournament.pending` what may start,
reports :meth:`start`, :meth:`record`, :meth:`requeue`, :meth:`forfeit`, and
calls :meth:`advance` to pair the next Swiss round once a round is over.
Every method that changes a game returns it, so the runner can persist exactly
what changed. The whole state is the spec, the list of games and the SPRT
decision: a tournament restored from the store continues where it stopped,
because nothing else is remembered.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence

from ringside.rating import pentanomial, sprt
from ringside.rating.elo import EloEstimate, estimate
from ringside.tournament.model import Decision, Game, Standing, TournamentError, TournamentSpec
from ringside.tournament.schedule import (
    Planned,
    gauntlet,
    mini_match,
    pair_swiss,
    round_robin,
)
from ringside.tournament.standings import Cell, cross_table, seat_points, standings


class Tournament:
    def __init__(
        self,
        spec: TournamentSpec,
        games: Iterable[Game] = (),
        decision: Decision | None = None,
    ) -> None:
        self.spec = spec
        self.games: list[Game] = sorted(games, key=lambda g: g.no)
        self.decision = decision
        if not self.games and spec.format != "swiss":
            planned = (round_robin if spec.format == "round-robin" else gauntlet)(
                spec.bots, spec.games_per_pair
            )
            self._append(planned)

    # --- queries -----------------------------------------------------------------

    def game(self, no: int) -> Game:
        games = self.games
        if 0 <= no < len(games) and games[no].no == no:
            return games[no]  # numbered from 0 without gaps: no search in a big tournament
        for game in games:
            if game.no == no:
                return game
        raise TournamentError(f"no game {no}")

    def pending(self) -> list[Game]:
        """Games waiting to be played, in the order they should start."""
        return [g for g in self.games if g.status == "pending"]

    def running(self) -> list[Game]:
        return [g for g in self.games if g.status == "running"]

    @property
    def round(self) -> int:
        """The last round scheduled so far (0 before a Swiss is paired)."""
        return max((g.round for g in self.games), default=0)

    @property
    def played(self) -> int:
        """Games counted in the standings (played or forfeited; byes are not games)."""
        return sum(1 for g in self.games if g.status in ("done", "forfeit"))

    @property
    def total(self) -> int:
        """Games planned in all, as far as known now (a Swiss counts rounds not yet paired)."""
        live = sum(1 for g in self.games if g.status in ("done", "forfeit", "pending", "running"))
        if self.decision is not None:
            return self.played + len(self.running())
        if self.spec.format == "swiss":
            left = max(0, self.spec.swiss_rounds - self.round)
            live += left * (len(self.spec.bots) // 2) * self.spec.games_per_pair
        return live

    @property
    def finished(self) -> bool:
        if self.running():
            return False
        if self.decision is not None:
            return True
        if self.pending():
            return False
        return self.spec.format != "swiss" or self.round >= self.spec.swiss_rounds

    def standings(self) -> list[Standing]:
        return standings(self.spec.bots, self.games, self.spec.format)

    def cross_table(self) -> dict[str, dict[str, Cell]]:
        return cross_table(self.spec.bots, self.games)

    def results_of(self, bot: str, opponent: str) -> tuple[int, int, int]:
        """Wins, draws and losses of ``bot`` against ``opponent`` in counted games."""
        wins = draws = losses = 0
        for game in self.games:
            if set(game.bots) != {bot, opponent}:
                continue
            score = _score(game, bot)
            if score == 1:
                wins += 1
            elif score == 0:
                losses += 1
            elif score is not None:
                draws += 1
        return wins, draws, losses

    def pairs_of(self, bot: str, opponent: str) -> tuple[int, int, int, int, int]:
        """Pentanomial counts of ``bot``'s points over game pairs: 0, ½, 1, 1½, 2 of 2.

        A pair is two consecutive games of these two bots in schedule order
        (games 1-2, 3-4, …), which the schedule plays with the seats swapped
        (the same opening from both sides); it counts once both are counted.
        """
        games = [g for g in self.games if set(g.bots) == {bot, opponent}]
        counts = [0, 0, 0, 0, 0]
        for first, second in zip(games[::2], games[1::2], strict=False):
            a, b = _score(first, bot), _score(second, bot)
            if a is not None and b is not None:
                counts[pentanomial.pair_index(a, b)] += 1
        return counts[0], counts[1], counts[2], counts[3], counts[4]

    def elo(self) -> EloEstimate:
        """Elo difference of the first bot over the second (meaningful for two bots)."""
        a, b = self.spec.bots[0], self.spec.bots[1]
        return estimate(*self.results_of(a, b))

    def sprt_status(self) -> sprt.SprtStatus | None:
        params = self.spec.sprt
        if params is None:
            return None
        a, b = self.spec.bots[:2]
        if params.model == "pentanomial":
            return pentanomial.evaluate(params, self.pairs_of(a, b))
        wins, draws, losses = self.results_of(a, b)
        return pentanomial.evaluate(params, (losses, draws, wins))

    # --- transitions ---------------------------------------------------------------

    def start(self, no: int, match_id: str) -> Game:
        game = self.game(no)
        if game.status != "pending":
            raise TournamentError(f"game {no} is {game.status}, not pending")
        game.status = "running"
        game.match_id = match_id
        game.attempts += 1
        return game

    def record(self, no: int, scores: Sequence[float], note: str | None = None) -> Game:
        """A stored, finished match of game ``no`` with these scores by seat: count it.

        Accepted whatever the game's status (a result that arrives after an
        SPRT decision or a cancellation still happened and is still stored),
        except that a game already counted is never counted twice.
        """
        game = self.game(no)
        if game.counted:
            return game
        game.status = "done"
        game.points = seat_points(scores)
        game.note = "; ".join(n for n in (game.note, note) if n) or None  # keep why it was replayed
        return game

    def requeue(self, no: int, note: str) -> Game:
        """The game's match ended without a result: play it again (unless it is decided)."""
        game = self.game(no)
        if game.counted:
            return game
        game.status = "cancelled" if self.decision is not None else "pending"
        game.note = note
        return game

    def forfeit(self, no: int, absent: Collection[str], note: str) -> Game:
        """Score a game that could not be played: absent bots lose, present ones win."""
        game = self.game(no)
        if game.status != "pending":
            raise TournamentError(f"only a pending game can be forfeited, not a {game.status} one")
        game.status = "forfeit"
        game.points = tuple(0.0 if bot in absent else 1.0 for bot in game.bots)
        game.note = note
        return game

    def cancel(self, no: int, note: str) -> Game:
        """Give up a game that is not counted: it will not be played."""
        game = self.game(no)
        if game.counted:
            raise TournamentError(f"game {no} is already counted")
        game.status = "cancelled"
        game.note = note
        return game

    def cancel_pending(self, note: str) -> list[Game]:
        changed = []
        for game in self.pending():
            game.status = "cancelled"
            game.note = note
            changed.append(game)
        return changed

    def check_sprt(self) -> list[Game]:
        """Decide the SPRT if its LLR crossed a bound; the games it makes unnecessary.

        Returns the pending games cancelled by the decision; games running at
        that moment are for the runner to stop (their results, should they
        still arrive, are counted but do not change the verdict).
        """
        current = self.sprt_status()
        if current is None or current.verdict is None or self.decision is not None:
            return []
        a, b = self.spec.bots[:2]
        wins, draws, losses = self.results_of(a, b)
        params = self.spec.sprt
        pairs = self.pairs_of(a, b) if params and params.model == "pentanomial" else None
        self.decision = Decision(
            current.verdict, current.llr, wins + draws + losses, wins, draws, losses, pairs
        )
        return self.cancel_pending(f"not needed: SPRT accepted {current.verdict}")

    def advance(self) -> list[Game]:
        """Pair the next Swiss round when the current one is over; the games added."""
        if self.spec.format != "swiss" or self.decision is not None:
            return []
        if self.round >= self.spec.swiss_rounds or self.pending() or self.running():
            return []
        order = [row.bot for row in self.standings()]
        if self.round == 0:
            order = list(self.spec.bots)  # round 1: the seeding order
        met: Counter[frozenset[str]] = Counter()
        byes: Counter[str] = Counter()
        firsts: Counter[str] = Counter()
        for game in self.games:
            if game.status == "bye":
                byes[game.bots[0]] += 1
            elif len(game.bots) == 2:
                met[frozenset(game.bots)] += 1
                firsts[game.bots[0]] += 1
        pairing = pair_swiss(order, met, byes)
        number = self.round + 1
        planned: list[Planned] = []
        for a, b in pairing.pairs:
            first, second = (b, a) if firsts[b] < firsts[a] else (a, b)
            planned += mini_match(first, second, self.spec.games_per_pair, number)
        added = self._append(planned)
        if pairing.bye is not None:
            bye = Game(self._next_no(), number, (pairing.bye,), "bye")
            bye.points = (float(self.spec.games_per_pair),)
            bye.note = "bye"
            self.games.append(bye)
            added.append(bye)
        return added

    # --- helpers ---------------------------------------------------------------------

    def _next_no(self) -> int:
        return self.games[-1].no + 1 if self.games else 0  # kept sorted by ``no``

    def _append(self, planned: Sequence[Planned]) -> list[Game]:
        start = self._next_no()
        added = [Game(start + i, p.round, p.bots) for i, p in enumerate(planned)]
        self.games.extend(added)
        return added


def _score(game: Game, bot: str) -> float | None:
    """``bot``'s score in a counted two-bot game: 1, ½ or 0 (None if not counted)."""
    if not game.counted or game.points is None or len(game.bots) != 2:
        return None
    seat = game.bots.index(bot)
    mine, theirs = game.points[seat], game.points[1 - seat]
    if mine > theirs:
        return 1.0
    if mine < theirs or mine == 0:
        return 0.0
    return 0.5
