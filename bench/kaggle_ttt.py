"""Figure 7's reference: kaggle-environments' in-process tic-tac-toe with random agents.

    python -m bench.kaggle_ttt --duration S --reps R

Prints ``RESULT {"episodes": N, "seconds": T}`` per repetition. Needs
``kaggle-environments`` (1.24.5, the last release with the ``tictactoe``
environment), installed without its dependencies by ``make bench``: importing
it loads every environment it ships and reports the ones whose heavy
dependencies are missing; ``tictactoe`` needs none of them.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import time

from bench.common import emit


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.kaggle_ttt")
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    with contextlib.redirect_stdout(io.StringIO()):  # "Loading environment ... failed" lines
        from kaggle_environments import make  # type: ignore[import-untyped]

    env = make("tictactoe")
    env.run(["random", "random"])  # warm up
    for _ in range(args.reps):
        episodes, started = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - started) < args.duration:
            env.reset()
            env.run(["random", "random"])
            assert env.done
            episodes += 1
        emit("RESULT", {"episodes": episodes, "seconds": elapsed})


if __name__ == "__main__":
    main()
