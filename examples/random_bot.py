"""A complete Ringside bot: plays any game by picking a random legal action.

    python examples/random_bot.py ws://127.0.0.1:8000/ws/bot   # or tcp://127.0.0.1:8001

Set RINGSIDE_TOKEN to play as a registered bot (a server in --open mode takes guests).
"""

import logging
import os
import random
import sys

from ringside.client import Bot


class RandomBot(Bot):
    name = "random-py"
    max_matches = 4

    def act(self, observation, legal_actions, clock):
        return random.choice(legal_actions)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    url = sys.argv[1] if len(sys.argv) > 1 else "ws://127.0.0.1:8000/ws/bot"
    RandomBot(token=os.environ.get("RINGSIDE_TOKEN")).run(url)
