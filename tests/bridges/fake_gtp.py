"""A tiny GTP engine that passes every move and writes its "search" to stderr first.

python fake_gtp.py [--quiet]
"""

from __future__ import annotations

import sys
import time


def main() -> None:
    quiet = "--quiet" in sys.argv
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        number, command = (words[0], words[1:]) if words[0].isdigit() else ("", words)
        answer = ""
        if command[0] == "protocol_version":
            answer = "2"
        elif command[0] == "name":
            answer = "Fake GTP"
        elif command[0] == "list_commands":
            answer = "protocol_version\nname\nversion\ngenmove\nplay\nboardsize\nclear_board\nkomi"
        elif command[0] == "genmove":
            if not quiet:
                print("visits 100 winrate 0.55", file=sys.stderr, flush=True)
                print("pv D4 Q16", file=sys.stderr, flush=True)
                time.sleep(0.1)  # the bridge reads stderr on its own: let it catch up
            answer = "pass"
        elif command[0] == "quit":
            print(f"={number}\n", flush=True)
            return
        print(f"={number} {answer}\n", flush=True)


if __name__ == "__main__":
    main()
