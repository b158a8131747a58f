"""Invite codes: long, random, easy to read aloud and type on a phone.

Crockford's base32 alphabet has no I, L, O or U, so "0"/"O" and "1"/"I"/"L"
typed by mistake still match.
"""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16  # 80 bits: guessing is hopeless even before the throttle
_TYPO_FIXES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize(text: str) -> str | None:
    """The canonical code in what the user typed, or None if it cannot be one."""
    cleaned = "".join(c for c in text.upper() if c not in " -_").translate(_TYPO_FIXES)
    if len(cleaned) != CODE_LENGTH or any(c not in ALPHABET for c in cleaned):
        return None
    return cleaned


def looks_like_code(text: str) -> bool:
    return normalize(text) is not None


def display(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def deep_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"
