"""Cleaning text people type or paste, before it is stored and printed."""

import re

# Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): pasted into a
# name they make a certificate print a reversed or reordered string. Zero-width joiner and
# non-joiner (U+200C, U+200D) stay: Persian and Arabic names need them.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def without_bidi_controls(text: str) -> str:
    return BIDI_CONTROLS.sub("", text)
