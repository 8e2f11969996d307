"""A tiny UCI engine that plays the first legal move and fails on purpose when told.

Before each ``bestmove`` it writes ``info`` lines as engines do: a string, the main
line with a score, a second MultiPV line and one without a score.

    python fake_uci.py [--crash-at N] [--hang-at N] [--stderr TEXT] [--gate PATH]

On the N-th ``go`` it exits with status 3 (``--crash-at``) or stops answering
anything, ``stop`` included (``--hang-at``). It lets the bridge's failure
handling be tested quickly and without Stockfish. With ``--gate`` it answers no
``go`` before the file PATH exists (a test holds games open with it).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import chess


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--crash-at", type=int, default=0)
    parser.add_argument("--hang-at", type=int, default=0)
    parser.add_argument("--stderr", default="")
    parser.add_argument("--gate", default="")
    args = parser.parse_args()
    board = chess.Board()
    searches = 0
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "uci":
            print("id name Fake UCI\noption name Speed type spin default 1 min 1 max 9\nuciok")
        elif words[0] == "isready":
            print("readyok")
        elif words[0] == "position":
            moves = words[words.index("moves") + 1 :] if "moves" in words else []
            board = chess.Board() if words[1] == "startpos" else chess.Board(" ".join(words[2:8]))
            for move in moves:
                board.push_uci(move)
        elif words[0] == "go":
            searches += 1
            if searches == args.crash_at:
                if args.stderr:
                    print(args.stderr, file=sys.stderr, flush=True)
                sys.exit(3)
            if searches == args.hang_at:
                time.sleep(3600)
            while args.gate and not os.path.exists(args.gate):
                time.sleep(0.01)
            move = next(iter(board.legal_moves)).uci()
            print("info string fake search")
            print(
                f"info depth 1 seldepth 2 multipv 1 score cp 12 nodes 20 nps 1000 time 510 pv {move}"
            )
            print(f"info depth 1 multipv 2 score cp -50 pv {move}")  # not the main line
            print("info depth 2 currmove e2e4 currmovenumber 1")  # no score
            print(f"bestmove {move}")
        elif words[0] == "quit":
            return
        sys.stdout.flush()


if __name__ == "__main__":
    main()
