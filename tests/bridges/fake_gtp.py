"""A tiny GTP engine that passes every move and writes its "search" to stderr first.

python fake_gtp.py [--quiet] [--log FILE] [--commands a,b,c] [--refuse a,b] [--stones C3,G7]

``--log`` writes every command it reads (without its number) to FILE, one a
line; ``--commands`` adds commands to ``list_commands`` (``kata-list_time_settings``
answers as KataGo does); ``--refuse`` answers those with ``?``; ``--stones``
plays those vertices, each not yet played in the game, then passes (a
program that passes early, leaving dead stones for its opponent to capture).
"""

from __future__ import annotations

import argparse
import sys
import time

BASIC = ["protocol_version", "name", "version", "genmove", "play", "boardsize", "clear_board"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--log")
    parser.add_argument("--commands", default="")
    parser.add_argument("--refuse", default="")
    parser.add_argument("--stones", default="")
    args = parser.parse_args()
    listed = [*BASIC, "komi", *filter(None, args.commands.split(","))]
    refused = set(filter(None, args.refuse.split(",")))
    stones = list(filter(None, args.stones.split(",")))
    seen: set[str] = set()
    log = open(args.log, "a", buffering=1) if args.log else None  # noqa: SIM115
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        number, command = (words[0], words[1:]) if words[0].isdigit() else ("", words)
        if log is not None:
            log.write(" ".join(command) + "\n")
        answer = ""
        if command[0] in refused:
            print(f"?{number} unknown command\n", flush=True)
            continue
        if command[0] == "protocol_version":
            answer = "2"
        elif command[0] == "name":
            answer = "Fake GTP"
        elif command[0] == "list_commands":
            answer = "\n".join(listed)
        elif command[0] == "kata-list_time_settings":
            answer = "none absolute byoyomi canadian fischer fischer-capped"
        elif command[0] in ("genmove", "kgs-genmove_cleanup"):
            if not args.quiet:
                print("visits 100 winrate 0.55", file=sys.stderr, flush=True)
                print("pv D4 Q16", file=sys.stderr, flush=True)
                time.sleep(0.1)  # the bridge reads stderr on its own: let it catch up
            answer = next((v for v in stones if v not in seen), "pass")
            seen.add(answer)
        elif command[0] == "play" and len(command) == 3:
            seen.add(command[2].upper())
        elif command[0] == "clear_board":
            seen.clear()
        elif command[0] == "quit":
            print(f"={number}\n", flush=True)
            return
        print(f"={number} {answer}\n", flush=True)


if __name__ == "__main__":
    main()
