"""Verification codes: random, short enough to type, grouped, with a check character.

A code is 16 Crockford base-32 symbols (80 random bits) plus one check symbol (the value mod 37,
Crockford's scheme), written in groups: ``7KQ2-M9XD-4HRT-B0CW-Y``. The alphabet has no I, L, O or
U, and reading normalises the usual confusions (i/l → 1, o → 0) and ignores case, spaces and
dashes, so a code read over the phone still works; any single wrong symbol or swap of two
neighbours fails the check and is reported as mistyped rather than unknown.
"""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_ALPHABET = ALPHABET + "*~$=U"
RANDOM_SYMBOLS = 16
_CONFUSIONS = str.maketrans({"I": "1", "L": "1", "O": "0"})


class MistypedCode(ValueError):
    """The code is well formed but its check character does not match: a typing error."""


def _value(symbols: str) -> int:
    value = 0
    for symbol in symbols:
        value = value * 32 + ALPHABET.index(symbol)
    return value


def check_symbol(symbols: str) -> str:
    return CHECK_ALPHABET[_value(symbols) % 37]


def format_code(symbols: str) -> str:
    groups = [symbols[i : i + 4] for i in range(0, len(symbols), 4)]
    return "-".join([*groups, check_symbol(symbols)])


def new_code() -> str:
    """A fresh random code (80 bits from the OS's CSPRNG), formatted for printing."""
    return format_code("".join(secrets.choice(ALPHABET) for _ in range(RANDOM_SYMBOLS)))


def normalise(text: str) -> str:
    """The canonical printed form of a typed code.

    Raises ``ValueError`` for text that cannot be a code and ``MistypedCode`` when the check
    character disagrees.
    """
    cleaned = "".join(text.split()).replace("-", "").upper().translate(_CONFUSIONS)
    if len(cleaned) != RANDOM_SYMBOLS + 1:
        raise ValueError("A verification code has 17 characters.")
    symbols, check = cleaned[:-1], cleaned[-1]
    if any(symbol not in ALPHABET for symbol in symbols) or check not in CHECK_ALPHABET:
        raise ValueError("A verification code has only letters and digits.")
    if check_symbol(symbols) != check:
        raise MistypedCode("This code has a typing error: please check it against the certificate.")
    return format_code(symbols)
