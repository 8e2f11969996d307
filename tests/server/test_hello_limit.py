"""The failed-hello limit on simulated time."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ringside.server.hello_limit import FailedHellos


def fail(limit: FailedHellos, host: str, now: float) -> float:
    """One wrong token: what ``start_check`` said (the check fails, so no ``passed``)."""
    return limit.start_check(host, now)


def test_a_host_is_refused_after_its_limit_until_the_oldest_failure_expires() -> None:
    limit = FailedHellos(limit=3, window=60.0)
    for t in (0.0, 10.0, 20.0):
        assert fail(limit, "10.0.0.1", t) == 0.0
    assert limit.start_check("10.0.0.1", 30.0) == 30.0  # the failure at 0 s expires at 60 s
    assert limit.start_check("10.0.0.2", 30.0) == 0.0  # other hosts are not touched
    assert fail(limit, "10.0.0.1", 60.0) == 0.0
    assert limit.start_check("10.0.0.1", 61.0) == 9.0  # now the failure at 10 s is the oldest


def test_a_check_counts_as_failed_until_it_passes() -> None:
    """Checks started at once count before any ends; one that passes is forgiven."""
    limit = FailedHellos(limit=2, window=60.0)
    assert limit.start_check("h", 0.0) == 0.0
    assert limit.start_check("h", 0.0) == 0.0
    assert limit.start_check("h", 0.1) == 59.9  # two checks under way: no third
    limit.passed("h", 0.0)
    assert limit.start_check("h", 0.2) == 0.0
    limit.passed("h", 0.2)
    limit.passed("h", 0.0)
    assert limit._failures == {}  # a host with nothing against it is not kept


def test_failures_expire() -> None:
    limit = FailedHellos(limit=1, window=5.0)
    fail(limit, "h", 0.0)
    assert limit.start_check("h", 4.0) == 1.0
    assert limit.start_check("h", 5.0) == 0.0


def test_memory_is_bounded_by_forgetting_the_host_that_failed_longest_ago() -> None:
    limit = FailedHellos(limit=1, window=60.0, hosts=2)
    fail(limit, "a", 0.0)
    fail(limit, "b", 1.0)
    fail(limit, "a", 61.0)  # "a" failed last now: "b" is the one to forget
    fail(limit, "c", 62.0)
    assert set(limit._failures) == {"a", "c"}
    assert limit.start_check("b", 63.0) == 0.0


@given(
    st.lists(
        st.tuples(st.sampled_from("abc"), st.floats(0.0, 5.0), st.booleans()),
        max_size=60,
    )
)
def test_refused_exactly_as_the_rule_says(steps: list[tuple[str, float, bool]]) -> None:
    """Refused when ``limit`` failed checks of the host started within the last window."""
    limit = FailedHellos(limit=3, window=10.0)
    now = 0.0
    failed: dict[str, list[float]] = {}
    for host, step, right_token in steps:
        now += step
        recent = [t for t in failed.get(host, []) if t > now - 10.0]
        wait = limit.start_check(host, now)
        if len(recent) >= 3:
            assert wait == recent[-3] + 10.0 - now
        else:
            assert wait == 0.0
            if right_token:
                limit.passed(host, now)
            else:
                failed.setdefault(host, []).append(now)
        assert all(0 < len(f) <= 3 for f in limit._failures.values())
