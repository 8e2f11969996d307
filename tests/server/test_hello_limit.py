"""The failed-hello limit on simulated time: per (address, name) and per address."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ringside.server.hello_limit import ADMIN, FailedHellos, client_address, trusted_networks


def fail(limit: FailedHellos, host: str, now: float, name: str | None = "alice") -> float:
    """One wrong token: what ``start_check`` said (the check fails, so no ``passed``)."""
    return limit.start_check(host, name, now)


def test_a_name_is_refused_from_a_host_after_its_limit_until_the_oldest_failure_expires() -> None:
    limit = FailedHellos(per_name=3, per_address=10, window=60.0)
    for t in (0.0, 10.0, 20.0):
        assert fail(limit, "10.0.0.1", t) == 0.0
    assert limit.start_check("10.0.0.1", "alice", 30.0) == 30.0  # the failure at 0 s ends at 60
    assert limit.start_check("10.0.0.2", "alice", 30.0) == 0.0  # other hosts are not touched
    assert fail(limit, "10.0.0.1", 60.0) == 0.0
    assert limit.start_check("10.0.0.1", "alice", 61.0) == 9.0  # the failure at 10 s is oldest


def test_a_flood_against_one_name_leaves_the_other_names_of_the_host_alone() -> None:
    limit = FailedHellos(per_name=10, per_address=50, window=60.0)
    for i in range(40):
        fail(limit, "10.0.0.1", i * 0.1, "alice")
    assert limit.start_check("10.0.0.1", "alice", 5.0) > 0.0  # the attacked name: locked
    assert limit.start_check("10.0.0.1", "bob", 5.0) == 0.0  # bob's own token: checked
    limit.passed("10.0.0.1", "bob", 5.0)
    assert limit.start_check("10.0.0.1", ADMIN, 5.0) == 0.0


def test_an_address_spraying_names_is_locked_for_every_name() -> None:
    limit = FailedHellos(per_name=10, per_address=50, window=60.0)
    for i in range(50):
        assert fail(limit, "10.0.0.9", i * 0.1, f"name-{i}") == 0.0
    assert limit.start_check("10.0.0.9", "someone-else", 5.0) == 55.0  # the first ends at 60
    assert limit.start_check("10.0.0.8", "someone-else", 5.0) == 0.0


def test_a_check_counts_as_failed_until_it_passes() -> None:
    """Checks started at once count before any ends; one that passes is forgiven."""
    limit = FailedHellos(per_name=2, window=60.0)
    assert limit.start_check("h", "a", 0.0) == 0.0
    assert limit.start_check("h", "a", 0.0) == 0.0
    assert limit.start_check("h", "a", 0.1) == 59.9  # two checks under way: no third
    limit.passed("h", "a", 0.0)
    assert limit.start_check("h", "a", 0.2) == 0.0
    limit.passed("h", "a", 0.2)
    limit.passed("h", "a", 0.0)
    assert limit.counted() == (0, 0)  # a host with nothing against it is not kept


def test_failures_expire() -> None:
    limit = FailedHellos(per_name=1, window=5.0)
    fail(limit, "h", 0.0)
    assert limit.start_check("h", "alice", 4.0) == 1.0
    assert limit.start_check("h", "alice", 5.0) == 0.0


def test_memory_is_bounded_by_forgetting_the_key_that_failed_longest_ago() -> None:
    limit = FailedHellos(per_name=1, per_address=1, window=60.0, keys=2)
    fail(limit, "a", 0.0)
    fail(limit, "b", 1.0)
    fail(limit, "a", 61.0)  # "a" failed last now: "b" is the one to forget
    fail(limit, "c", 62.0)
    assert limit.counted() == (2, 2)
    assert limit.start_check("b", "alice", 63.0) == 0.0


@given(
    st.lists(
        st.tuples(
            st.sampled_from("abc"),
            st.sampled_from(["x", "y", None]),
            st.floats(0.0, 5.0),
            st.booleans(),
        ),
        max_size=80,
    )
)
def test_refused_exactly_as_the_rule_says(
    steps: list[tuple[str, str | None, float, bool]],
) -> None:
    """Refused when ``per_name`` failed checks of (host, name), or ``per_address`` of the
    host, started within the last window; the wait is until the binding one ends."""
    limit = FailedHellos(per_name=3, per_address=5, window=10.0)
    now = 0.0
    failed: list[tuple[str, str | None, float]] = []
    for host, name, step, right_token in steps:
        now += step
        recent = [f for f in failed if f[2] > now - 10.0]
        by_name = [t for h, n, t in recent if (h, n) == (host, name)]
        by_host = [t for h, _, t in recent if h == host]
        waits = [0.0]
        if len(by_name) >= 3:
            waits.append(by_name[-3] + 10.0 - now)
        if len(by_host) >= 5:
            waits.append(by_host[-5] + 10.0 - now)
        wait = limit.start_check(host, name, now)
        assert wait == max(waits)
        if wait == 0.0:
            if right_token:
                limit.passed(host, name, now)
            else:
                failed.append((host, name, now))


def test_x_forwarded_for_is_read_only_from_trusted_proxies() -> None:
    proxies = trusted_networks(("10.0.0.0/8", "::1"))
    # no proxy configured, or a peer that is not one: the socket's address, whatever the header
    assert client_address("203.0.113.7", ["198.51.100.1"], ()) == "203.0.113.7"
    assert client_address("203.0.113.7", ["198.51.100.1"], proxies) == "203.0.113.7"
    # from a proxy: the last address that is not a trusted proxy
    assert client_address("10.0.0.2", ["198.51.100.1"], proxies) == "198.51.100.1"
    forged = ["1.2.3.4, 198.51.100.1, 10.0.0.3"]  # the client wrote 1.2.3.4 itself
    assert client_address("10.0.0.2", forged, proxies) == "198.51.100.1"
    assert client_address("10.0.0.2", ["1.2.3.4", "198.51.100.1"], proxies) == "198.51.100.1"
    assert client_address("::1", ["2001:db8::5"], proxies) == "2001:db8::5"
    # nothing usable: the proxy itself, or the last trusted address before a malformed one
    assert client_address("10.0.0.2", [], proxies) == "10.0.0.2"
    assert client_address("10.0.0.2", ["junk, 10.0.0.4"], proxies) == "10.0.0.4"


def test_a_trusted_proxy_that_is_no_address_is_refused_by_name() -> None:
    try:
        trusted_networks(("10.0.0.0/8", "proxy.example"))
    except ValueError as exc:
        assert "proxy.example" in str(exc)
    else:
        raise AssertionError("accepted")
