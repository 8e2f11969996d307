"""A tiny XBoard (CECP v2) engine that plays the first legal move, for the bridge's tests.

    python fake_xboard.py [--log PATH] [--san] [--no-usermove] [--no-setboard]
                          [--crash-at N] [--resign-at N] [--slow]

It offers its features in two lines (``done=0`` first, as engines that need a
moment do), writes one line of thinking output when told ``post``, and moves
on ``go`` (or at once on ``?`` with ``--slow``, which otherwise never moves).
``--log`` appends every line it reads to PATH, so a test can check the commands
the bridge sent. On the N-th ``go`` it exits with status 3 (``--crash-at``) or
resigns (``--resign-at``).
"""

from __future__ import annotations

import argparse
import sys

import chess


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", default="")
    parser.add_argument("--san", action="store_true")
    parser.add_argument("--no-usermove", action="store_true")
    parser.add_argument("--no-setboard", action="store_true")
    parser.add_argument("--crash-at", type=int, default=0)
    parser.add_argument("--resign-at", type=int, default=0)
    parser.add_argument("--slow", action="store_true")
    args = parser.parse_args()
    log = open(args.log, "a", encoding="utf-8") if args.log else None  # noqa: SIM115
    board = chess.Board()
    forced = True
    post = False
    searches = 0

    def say(text: str) -> None:
        print(text, flush=True)

    def move() -> None:
        nonlocal forced
        chosen = next(iter(board.legal_moves))
        text = board.san(chosen) if args.san else board.xboard(chosen)
        if post:
            say(f"3 34 12 456 {text}")
        board.push(chosen)
        forced = False
        say(f"move {text}")

    for line in sys.stdin:
        line = line.strip()
        if log is not None:
            log.write(line + "\n")
            log.flush()
        words = line.split()
        if not words:
            continue
        command = words[0]
        if command == "protover":
            say('feature done=0 myname="Fake XBoard 1.0" ping=1')
            say(
                f"feature usermove={0 if args.no_usermove else 1} san={int(args.san)}"
                f" setboard={0 if args.no_setboard else 1} time=1 sigint=0 sigterm=0"
                ' colors=0 reuse=1 variants="normal,fischerandom" frobnicate=1 done=1'
            )
        elif command == "new":
            board, forced = chess.Board(), False
        elif command == "variant":
            board = chess.Board(chess960=words[1] == "fischerandom")
        elif command == "setboard":
            board = chess.Board(" ".join(words[1:]), chess960=board.chess960)
        elif command == "force":
            forced = True
        elif command == "post":
            post = True
        elif command == "ping":
            say(f"pong {words[1]}")
        elif command == "go":
            searches += 1
            if searches == args.crash_at:
                sys.exit(3)
            if searches == args.resign_at:
                say("resign")
                continue
            if not args.slow:
                move()
        elif command == "?":
            move()
        elif command == "quit":
            return
        elif command in (
            "xboard",
            "accepted",
            "rejected",
            "easy",
            "hard",
            "level",
            "st",
        ) or command in ("time", "otim", "result", "computer"):
            continue
        else:
            text = words[1] if command == "usermove" else command
            try:
                board.push(board.parse_san(text))
            except ValueError:
                say(f"Illegal move: {text}")
                continue
            if not forced:
                move()


if __name__ == "__main__":
    main()
