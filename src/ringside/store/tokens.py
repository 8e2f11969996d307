"""Bot tokens: only a salted scrypt hash is stored, checks run in constant time.

Format ``scrypt$<salt hex>$<hash hex>``. scrypt at n=2**14, r=8, p=1 costs about
16 MiB and some tens of milliseconds per check (the interactive-login setting
of the scrypt paper); callers run it in a worker thread.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P, _SCRYPT_LEN = 2**14, 8, 1, 32
_SALT_BYTES = 16


def new_token() -> str:
    """A fresh bot token (32 URL-safe characters)."""
    return secrets.token_urlsafe(24)


def _hash_token(token: str, salt: bytes) -> bytes:
    return hashlib.scrypt(
        token.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=_SCRYPT_LEN
    )


def hash_token(token: str) -> str:
    """``scrypt$<salt hex>$<hash hex>`` with a fresh random salt."""
    salt = secrets.token_bytes(_SALT_BYTES)
    return f"scrypt${salt.hex()}${_hash_token(token, salt).hex()}"


def check_token(token: str, stored: str) -> bool:
    """Whether ``token`` matches a ``hash_token`` result, compared in constant time."""
    scheme, _, rest = stored.partition("$")
    salt_hex, _, hash_hex = rest.partition("$")
    try:
        salt, expected = bytes.fromhex(salt_hex), bytes.fromhex(hash_hex)
    except ValueError:
        return False
    if scheme != "scrypt" or not salt or not expected:
        return False
    return hmac.compare_digest(_hash_token(token, salt), expected)
