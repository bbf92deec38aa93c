"""A rough passphrase strength hint for the create-vault screen (a hint, not a policy).

Counts the character pool and length into bits, zxcvbn-style but much simpler:
enough to tell "password1" from four random words. Nothing is stored or logged.
"""

from __future__ import annotations

import math
import string

COMMON = {"password", "passphrase", "letmein", "qwerty", "123456", "secret", "admin", "welcome"}


def strength_bits(passphrase: str) -> float:
    if not passphrase:
        return 0.0
    pool = 0
    if any(c in string.ascii_lowercase for c in passphrase):
        pool += 26
    if any(c in string.ascii_uppercase for c in passphrase):
        pool += 26
    if any(c in string.digits for c in passphrase):
        pool += 10
    if any(not c.isalnum() for c in passphrase):
        pool += 33
    distinct = len(set(passphrase))
    bits = min(len(passphrase), distinct * 2) * math.log2(max(pool, 2))
    if any(word in passphrase.lower() for word in COMMON):
        bits /= 3
    return bits


def strength_hint(passphrase: str) -> tuple[str, str]:
    """(level, one line) where level is weak, fair or strong."""
    if not passphrase:
        return "weak", "Type a passphrase: four or more random words work well."
    bits = strength_bits(passphrase)
    if bits < 45:
        return "weak", f"Weak (~{bits:.0f} bits): use a longer passphrase, e.g. four random words."
    if bits < 70:
        return "fair", f"Fair (~{bits:.0f} bits): one or two more words would make it strong."
    return "strong", f"Strong (~{bits:.0f} bits)."
