"""The failed-hello limit on simulated time."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ringside.server.hello_limit import FailedHellos


def test_a_host_is_refused_after_its_limit_until_the_oldest_failure_expires() -> None:
    limit = FailedHellos(limit=3, window=60.0)
    for t in (0.0, 10.0, 20.0):
        assert limit.retry_after("10.0.0.1", t) == 0.0
        limit.failed("10.0.0.1", t)
    assert limit.retry_after("10.0.0.1", 30.0) == 30.0  # the failure at 0 s expires at 60 s
    assert limit.retry_after("10.0.0.2", 30.0) == 0.0  # other hosts are not touched
    assert limit.retry_after("10.0.0.1", 60.0) == 0.0
    limit.failed("10.0.0.1", 60.0)
    assert limit.retry_after("10.0.0.1", 61.0) == 9.0  # now the failure at 10 s is the oldest


def test_failures_expire_and_the_host_is_forgotten() -> None:
    limit = FailedHellos(limit=2, window=5.0)
    limit.failed("h", 0.0)
    assert limit.retry_after("h", 5.0) == 0.0
    assert limit._failures == {}


def test_memory_is_bounded_by_forgetting_the_host_that_failed_longest_ago() -> None:
    limit = FailedHellos(limit=1, window=60.0, hosts=2)
    limit.failed("a", 0.0)
    limit.failed("b", 1.0)
    limit.failed("a", 2.0)  # "a" failed last now: "b" is the one to forget
    limit.failed("c", 3.0)
    assert set(limit._failures) == {"a", "c"}
    assert limit.retry_after("b", 4.0) == 0.0
    assert limit.retry_after("a", 4.0) > 0.0


@given(
    st.lists(
        st.tuples(st.sampled_from("abc"), st.floats(0.0, 5.0)),
        max_size=60,
    )
)
def test_never_more_refusals_than_the_rule_allows(steps: list[tuple[str, float]]) -> None:
    """Refused exactly when ``limit`` failures of the host fall within the last window."""
    limit = FailedHellos(limit=3, window=10.0)
    now = 0.0
    history: dict[str, list[float]] = {}
    for host, step in steps:
        now += step
        recent = [t for t in history.get(host, []) if t > now - 10.0]
        wait = limit.retry_after(host, now)
        if len(recent) >= 3:
            assert wait == recent[-3] + 10.0 - now
        else:
            assert wait == 0.0
            limit.failed(host, now)
            history.setdefault(host, []).append(now)
        assert all(len(f) <= 3 for f in limit._failures.values())
