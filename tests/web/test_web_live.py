"""The page's spectator socket (``live.js``): what each handler of a match is given.

A fresh ``Live`` in the real browser, fed events by hand in the order a server
can send them: deterministic, where the same orders through a real server are
races (the flake these tests pin: the lobby's small board watched a match, the
match view took over, and a ``round_started`` sent before the server read the
new ``watch`` reached the view ahead of its snapshot, so the view never learned
the game).
"""

from __future__ import annotations

from typing import Any

from ringside.testing.wire import ServerProcess

# A fresh Live whose `send` records instead of writing to a socket; `got(name)` makes a
# handler that records the types (and, for a snapshot, the event count) it is given.
SETUP = """
async () => {
  const { Live } = await import('/static/live.js');
  const live = new Live();
  const sent = [];
  live.send = (message) => sent.push(`${message.type} ${message.match}`);
  const log = {};
  const got = (name) => {
    log[name] = [];
    return (event) =>
      log[name].push(event.type === 'snapshot' ? `snapshot ${event.events.length}` : event.type);
  };
  const ev = (type, extra = {}) => ({ type, match: 'm1', ...extra });
  window.__t = { live, sent, log, got, ev };
}
"""


def _setup(page: Any, server: ServerProcess) -> None:
    page.goto(f"{server.http}/#/games")
    page.evaluate(SETUP)


def test_an_event_sent_before_the_snapshot_is_not_passed_on(
    page: Any, server: ServerProcess
) -> None:
    _setup(page, server)
    result = page.evaluate(
        """async () => {
          const { live, sent, log, got, ev } = window.__t;
          live.watch('m1', got('view'));
          // Sent before the server read the watch: the snapshot below holds it.
          live.receive(ev('round_started'));
          live.receive(ev('snapshot', { events: [ev('match_started'), ev('round_started')] }));
          live.receive(ev('move'));
          return { sent, log };
        }"""
    )
    assert result["sent"] == ["watch m1"]
    assert result["log"]["view"] == ["snapshot 2", "move"]


def test_a_handler_joining_a_watched_match_gets_the_snapshot_and_the_events_since(
    page: Any, server: ServerProcess
) -> None:
    _setup(page, server)
    result = page.evaluate(
        """async () => {
          const { live, sent, log, got, ev } = window.__t;
          const offBoard = live.watch('m1', got('board'));
          const snapshot = ev('snapshot', { events: [ev('match_started')] });
          live.receive(snapshot);
          // The first handler adds to the array it was given, as the match view does.
          snapshot.events.push(ev('round_started'));
          live.receive(ev('round_started'));
          const view = got('view');
          live.watch('m1', view);
          const early = log.view.slice();  // given after the caller has its unsubscribe
          await Promise.resolve();
          offBoard();
          live.receive(ev('move'));
          return { sent, log, early };
        }"""
    )
    # The server ignores a second watch of a match watched: none is sent, and nothing is lost.
    assert result["sent"] == ["watch m1"]
    assert result["early"] == []
    assert result["log"]["view"] == ["snapshot 1", "round_started", "move"]
    assert result["log"]["board"] == ["snapshot 1", "round_started"]


def test_the_last_handler_gone_unwatches_and_a_new_one_asks_again(
    page: Any, server: ServerProcess
) -> None:
    _setup(page, server)
    result = page.evaluate(
        """async () => {
          const { live, sent, log, got, ev } = window.__t;
          const off = live.watch('m1', got('first'));
          live.receive(ev('snapshot', { events: [ev('match_started')] }));
          off();
          off();  // twice: still one unwatch
          live.receive(ev('move'));  // in flight when the unwatch left: nobody gets it
          live.watch('m1', got('second'));
          await Promise.resolve();
          const before = log.second.slice();  // nothing kept from the first watch
          live.receive(ev('snapshot', { events: [ev('match_started'), ev('move')] }));
          return { sent, log, before };
        }"""
    )
    assert result["sent"] == ["watch m1", "unwatch m1", "watch m1"]
    assert result["log"]["first"] == ["snapshot 1"]
    assert result["before"] == []
    assert result["log"]["second"] == ["snapshot 2"]


def test_an_error_reaches_a_handler_that_has_no_snapshot(page: Any, server: ServerProcess) -> None:
    _setup(page, server)
    result = page.evaluate(
        """async () => {
          const { live, log, got, ev } = window.__t;
          live.watch('m1', got('view'));
          live.receive(ev('error', { code: 'unknown_match' }));
          return log;
        }"""
    )
    assert result["view"] == ["error"]
