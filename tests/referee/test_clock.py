"""Clocks driven by the time the test passes in."""

import pytest

from ringside.protocol.messages import ByoYomi, Fischer, PerMove
from ringside.referee.clock import Clock, InvalidTimeControl, check_time_control


def test_per_move_budget_resets_every_move() -> None:
    clock = Clock(PerMove(seconds=2.0))
    clock.start(10.0)
    assert clock.deadline() == 12.0
    assert clock.stop(11.5)
    clock.start(20.0)
    assert clock.deadline() == 22.0
    assert not clock.stop(22.3, margin=0.1)


def test_per_move_margin_forgives_small_overrun() -> None:
    clock = Clock(PerMove(seconds=1.0))
    clock.start(0.0)
    assert clock.stop(1.05, margin=0.1)


def test_fischer_adds_increment_after_each_move() -> None:
    clock = Clock(Fischer(base=10.0, increment=2.0))
    clock.start(0.0)
    assert clock.stop(3.0)
    assert clock.main == pytest.approx(9.0)
    clock.start(5.0)
    assert clock.deadline() == pytest.approx(14.0)
    assert clock.stop(13.0)
    assert clock.main == pytest.approx(3.0)
    clock.start(20.0)
    assert clock.deadline() == pytest.approx(23.0)
    assert not clock.stop(23.5, margin=0.2)
    assert clock.main == 0.0


def test_byoyomi_uses_periods_after_main_time() -> None:
    clock = Clock(ByoYomi(base=5.0, periods=3, period=10.0))
    clock.start(0.0)
    assert clock.deadline() == pytest.approx(35.0)
    assert clock.stop(4.0)
    assert (clock.main, clock.periods) == (pytest.approx(1.0), 3)
    # 1 s of main time then 8 s inside the first period: the period is kept.
    clock.start(10.0)
    assert clock.stop(19.0)
    assert (clock.main, clock.periods) == (0.0, 3)
    # 15 s in byo-yomi: the first period is overrun and lost, the second kept.
    clock.start(30.0)
    assert clock.stop(45.0)
    assert clock.periods == 2
    # 25 s: two periods overrun, the last one (of two) used up would flag.
    clock.start(50.0)
    assert clock.deadline() == pytest.approx(70.0)
    assert not clock.stop(70.5, margin=0.1)


def test_byoyomi_last_period_exactly_used_is_kept() -> None:
    clock = Clock(ByoYomi(base=0.0, periods=1, period=5.0))
    clock.start(0.0)
    assert clock.stop(5.0)
    assert clock.periods == 1


def test_reading_reports_remaining_and_move_time() -> None:
    clock = Clock(ByoYomi(base=5.0, periods=2, period=3.0))
    clock.start(100.0)
    reading = clock.reading(102.0, [3.0, 5.0])
    assert reading.remaining == pytest.approx(3.0)
    assert reading.move_time == pytest.approx(9.0)
    assert (reading.periods, reading.period, reading.seats) == (2, 3.0, [3.0, 5.0])


@pytest.mark.parametrize(
    "control",
    [
        PerMove(seconds=0.0),
        PerMove(seconds=-1.0),
        PerMove(seconds=float("nan")),
        Fischer(base=10.0, increment=-1.0),
        ByoYomi(base=1.0, periods=2, period=0.0),
        ByoYomi(base=1.0, periods=5000, period=1.0),
        Fischer(base=1e12, increment=0.0),
    ],
)
def test_bad_time_controls_are_refused(control: PerMove | Fischer | ByoYomi) -> None:
    with pytest.raises(InvalidTimeControl):
        check_time_control(control)
