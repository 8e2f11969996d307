"""OpenSpiel's games as the family ``spiel.<name>`` (``pip install 'ringside[openspiel]'``).

``family()`` loads every game OpenSpiel registers and offers those that load
with their default parameters and play through the adapter; the others are
listed with the reason, not hidden. ``pyspiel`` is imported here at the top,
so without the extra the registry leaves the family out.
"""

from __future__ import annotations

import pyspiel  # noqa: F401  (the registry's ImportError check)

from ringside.games.spiel.family import family
from ringside.games.spiel.game import SpielGame, SpielState

__all__ = ["SpielGame", "SpielState", "family"]
