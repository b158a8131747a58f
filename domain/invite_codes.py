"""Invite codes: long, random, easy to read aloud and type on a phone.

Crockford's base32 alphabet has no I, L, O or U, so "0"/"O" and "1"/"I"/"L"
typed by mistake still match.
"""

from __future__ import annotations

import hashlib
import re
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


# What could be a code inside longer text (a log line): 16 symbols in a row, groups of at
# least 4 joined by a dash or underscore ("ABCD-EFGH-…", as codes are shown), or groups of
# exactly 4 joined by spaces. Looser rules would take ordinary words for a code ("of 2001
# characters", "non-transactional", "renderer exploded"). U is not a symbol; I, L and O
# are (typed look-alikes).
_SYMBOLS = "0-9A-TV-Za-tv-z"
_CHAIN = re.compile(rf"(?<![A-Za-z0-9])[{_SYMBOLS}]+(?:[-_ ][{_SYMBOLS}]+)*(?![A-Za-z0-9])")
_PARTS = re.compile(r"[-_ ]")
_GROUP = 4


def code_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every stretch of `text` written the way codes are (see above)."""
    spans: list[tuple[int, int]] = []
    for chain in _CHAIN.finditer(text):
        groups: list[tuple[int, int]] = []
        start = chain.start()
        for sep in _PARTS.finditer(chain.group()):
            groups.append((start, chain.start() + sep.start()))
            start = chain.start() + sep.end()
        groups.append((start, chain.end()))
        for i in range(len(groups)):
            symbols = 0
            for j in range(i, len(groups)):
                if j > i and not _joins(text, groups[j - 1], groups[j]):
                    break
                symbols += groups[j][1] - groups[j][0]
                if symbols >= CODE_LENGTH:
                    if symbols == CODE_LENGTH:
                        spans.append((groups[i][0], groups[j][1]))
                    break
    return spans


def _joins(text: str, left: tuple[int, int], right: tuple[int, int]) -> bool:
    sizes = (left[1] - left[0], right[1] - right[0])
    if text[left[1]] == " ":
        return sizes == (_GROUP, _GROUP)
    return min(sizes) >= _GROUP


def redact_codes(text: str, mask: str = "[invite-code]") -> str:
    """`text` with every code-shaped stretch replaced by `mask` (for logs)."""
    spans = code_spans(text)
    if not spans:
        return text
    out, last = [], 0
    for start, end in _merged(spans):
        out += [text[last:start], mask]
        last = end
    return "".join(out) + text[last:]


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
