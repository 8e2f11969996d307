"""A tournament's pentanomial SPRT: games paired by seat swap, counted by pairs."""

from __future__ import annotations

import pytest

from ringside.rating.sprt import SprtParams
from ringside.tournament import Tournament, TournamentError, TournamentSpec
from ringside.tournament.report import sprt_info

PENTA = SprtParams(0, 100, model="pentanomial")


def play(t: Tournament, winner_of: dict[int, str | None]) -> None:
    """Play the given games (by number): the named bot wins, None is a draw."""
    for no, winner in winner_of.items():
        game = t.game(no)
        t.start(no, f"m{no}")
        if winner is None:
            t.record(no, [0.5, 0.5])
        else:
            t.record(no, [1.0 if bot == winner else 0.0 for bot in game.bots])


def test_games_pair_by_seat_swap_and_count_once_both_are_played() -> None:
    t = Tournament(TournamentSpec("gauntlet", ("a", "b"), games_per_pair=10, sprt=PENTA))
    assert [g.bots for g in t.games[:2]] == [("a", "b"), ("b", "a")], "a pair swaps the seats"
    play(t, {0: "a", 1: "a", 2: "a", 3: None, 5: "b"})  # game 4 not played yet
    assert t.pairs_of("a", "b") == (0, 0, 0, 1, 1)  # WD (1½) and WW (2)
    assert t.pairs_of("b", "a") == (1, 1, 0, 0, 0), "the other side's counts are the mirror"
    play(t, {4: "b", 6: None, 7: None, 8: "a", 9: "b"})
    assert t.pairs_of("a", "b") == (1, 0, 2, 1, 1)  # LL; DD and WL both 1 point
    assert t.results_of("a", "b") == (4, 3, 3)


def test_pentanomial_needs_pairs_and_a_known_model() -> None:
    with pytest.raises(TournamentError, match="even"):
        TournamentSpec("gauntlet", ("a", "b"), games_per_pair=11, sprt=PENTA)
    TournamentSpec("gauntlet", ("a", "b"), games_per_pair=11, sprt=SprtParams(0, 100))


def test_seat_decided_games_are_no_evidence_for_the_pentanomial_test() -> None:
    """When the first seat always wins, every pair is 1–1: the pentanomial test sees two
    equal bots with almost no noise and accepts H0 in 9 pairs; the trinomial one, seeing
    W, L, W, L, needs 74 games."""
    decided_after = {}
    for model in ("pentanomial", "trinomial"):
        sprt = SprtParams(0, 100, model=model)  # type: ignore[arg-type]
        t = Tournament(TournamentSpec("gauntlet", ("a", "b"), games_per_pair=200, sprt=sprt))
        while t.decision is None:
            game = t.pending()[0]
            play(t, {game.no: game.bots[0]})
            t.check_sprt()
        assert t.decision.verdict == "H0"
        decided_after[model] = t.decision.games
        info = sprt_info(t)
        assert info is not None and info.model == model and info.elo_model == "logistic"
        if model == "pentanomial":
            assert t.decision.pentanomial == (0, 0, 9, 0, 0)
            assert info.pentanomial == [0, 0, 9, 0, 0] and info.pairs == 9
        else:
            assert t.decision.pentanomial is None and info.pentanomial is None
    assert decided_after == {"pentanomial": 18, "trinomial": 74}


def test_a_strong_bot_passes_with_pairs_of_wins() -> None:
    t = Tournament(TournamentSpec("gauntlet", ("new", "old"), games_per_pair=100, sprt=PENTA))
    while t.decision is None:
        game = t.pending()[0]
        play(t, {game.no: "new"})
        t.check_sprt()
    assert t.decision.verdict == "H1"
    assert t.decision.games % 2 == 0, "the test moves only when a pair is complete"
    pairs = t.decision.games // 2
    assert t.decision.pentanomial == (0, 0, 0, 0, pairs)
    info = sprt_info(t)
    assert info is not None and info.llr >= info.upper and info.wins == 2 * pairs


def test_normalized_bounds() -> None:
    sprt = SprtParams(0, 50, model="pentanomial", elo_model="normalized")
    t = Tournament(TournamentSpec("gauntlet", ("a", "b"), games_per_pair=400, sprt=sprt))
    winners = ["a", "a", "a", None, "b", "a", None, None]  # a scores 2, 1½, ½... per pair
    i = 0
    while t.decision is None:
        game = t.pending()[0]
        play(t, {game.no: winners[i % len(winners)]})
        t.check_sprt()
        i += 1
    assert t.decision.verdict == "H1"
    info = sprt_info(t)
    assert info is not None and info.elo_model == "normalized" and info.pairs == i // 2
