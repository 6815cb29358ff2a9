"""Cleaning text people type or paste, before it is stored and printed."""

import re
from collections.abc import Iterable

from django.utils.translation import get_language_bidi, pgettext

# Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): pasted into a
# name they make a certificate print a reversed or reordered string. Zero-width joiner and
# non-joiner (U+200C, U+200D) stay: Persian and Arabic names need them.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def without_bidi_controls(text: str) -> str:
    return BIDI_CONTROLS.sub("", text)


def isolated(text: str) -> str:
    """``text`` between first-strong isolates (U+2068 … U+2069) when the active language is
    written right to left: an English organisation name quoted inside an Arabic message then
    keeps its words, dashes and quotes in place, on a page and in a spreadsheet alike. Left to
    right messages stay plain."""
    return f"\u2068{text}\u2069" if get_language_bidi() else text


def joined(items: Iterable[str]) -> str:
    """A list of names or dates inside a sentence, with the reader's separator (the Arabic
    comma "،" in Arabic), each item isolated in right-to-left text."""
    return pgettext("list separator", ", ").join(isolated(item) for item in items)
