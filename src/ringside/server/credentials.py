"""Who may take a name at ``hello``: the token check, its limits, guests and look-alikes.

- **One refusal for "unknown name or wrong token"** (``bad_token``, same text):
  on a server without guests, a name that is not registered is refused exactly
  as a wrong token is, after the same scrypt check (``BotStore.verify_bot``),
  so neither the answer nor its time lists the registered names. A hello with
  no token is refused at once whether the name exists or not.
- **Limits per (address, name) and per address** (``hello_limit``): failures
  against an unknown name count too, else the lock would tell names apart.
- **Look-alikes**: a guest cannot take a name that looks like a registered
  bot's (``ringside.names.skeleton``), and no bot can take one that looks like
  a connected bot's, so the lobby never shows two names that read the same.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from ringside.names import confusable_with
from ringside.server.hello_limit import FailedHellos
from ringside.store.repository import Store

Refusal = tuple[str, str]


def bad_credentials(name: str) -> Refusal:
    """The one refusal of an unknown name, a missing token and a wrong token."""
    return (
        "bad_token",
        f"unknown bot or wrong token for {name!r}: a registered bot gives the token "
        "`ringside bots add` printed for it",
    )


async def check_hello(
    store: Store,
    limits: FailedHellos,
    now: Callable[[], float],
    address: str,
    name: str,
    token: str | None,
    *,
    open_server: bool,
    connected: Callable[[], Iterable[str]],
) -> tuple[bool, Refusal | None]:
    """Whether the bot comes as a guest, and why it is refused (code, text) or None.

    ``connected``: the names of the bots connected now (look-alikes refused), asked for
    once the awaits are done."""
    record = await store.get_bot(name)
    registered = record is not None and not record.guest
    guest = not registered and open_server
    if guest:
        other = await store.bots.confusable(name)
        if other is not None:
            text = f"bot name {name!r} looks like the registered bot {other!r}; pick another name"
            return guest, ("name_taken", text)
    elif token is None:
        return guest, bad_credentials(name)
    else:
        started = now()
        wait = limits.start_check(address, name, started)
        if wait > 0.0:
            text = (
                f"too many wrong tokens for {name!r} from {address}; "
                f"try again in {math.ceil(wait)} s"
            )
            return guest, ("too_many_attempts", text)
        if not await store.verify_bot(name, token):
            return guest, bad_credentials(name)
        limits.passed(address, name, started)
    other = confusable_with(name, connected())
    if other is not None:
        text = f"bot name {name!r} looks like the connected bot {other!r}; pick another name"
        return guest, ("name_taken", text)
    return guest, None


__all__ = ["Refusal", "bad_credentials", "check_hello"]
