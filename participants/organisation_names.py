"""How an organisation's name is compared: the normalised key and the near-miss score.

Two spellings of one organisation get the same key when they differ only in case, spaces,
punctuation, dashes of any kind (hyphen, en or em dash, minus, Arabic tatweel), "&" / "and" /
«и» / «و», "the" and "of", the Unicode form (NFKC) or Arabic letter variants (alef forms, ta
marbuta, alef maksura, Persian yeh and kaf, diacritics). The key keeps no spaces, so "Ministry
of Interior" and "MinistryofInterior" are one, and an acronym written "M.o.I." is "moi".

Must not import Django: the model, the import and the data migration all call it, and it has to
give the same key in each.
"""

import functools
import re
import unicodedata

from rapidfuzz import fuzz

# Arabic letters folded to one form; diacritics (harakat, superscript alef) and tatweel dropped.
_ARABIC_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ة": "ه",
        "ى": "ي",
        "ی": "ي",  # Persian / Urdu yeh
        "ک": "ك",  # Persian / Urdu kaf
        "ـ": None,  # tatweel
        **{chr(c): None for c in range(0x064B, 0x0660)},  # harakat
        "\u0670": None,  # superscript alef
    }
)
# Words that carry no identity: "Ministry of the Interior" is "Ministry of Interior".
_STOPWORDS = frozenset({"and", "the", "of", "и", "و"})
# Anything that is not a letter or a digit separates words: punctuation, dashes, symbols.
_SEPARATORS = re.compile(r"[\W_]+")

NEAR_MISS_SCORE = 88.0  # rapidfuzz ratio (0-100) from which a different key is a near miss
NEAR_MISS_MIN_LENGTH = 6  # shorter keys (acronyms) are matched exactly or not at all


def name_words(text: str) -> list[str]:
    """The words of a name that count, normalised."""
    text = unicodedata.normalize("NFKC", text or "").casefold().translate(_ARABIC_FOLD)
    text = text.replace("&", " and ")
    words = []
    for word in _SEPARATORS.split(text):
        if word.startswith("وال") and len(word) > 3:  # "والمهجرين": the conjunction attached
            word = word[1:]
        if word and word not in _STOPWORDS:
            words.append(word)
    return words


@functools.lru_cache(maxsize=4096)
def name_key(text: str) -> str:
    """The normalised key of a name (or acronym): its words joined without spaces. Cached: a
    list repeats a handful of organisations on thousands of rows."""
    return "".join(name_words(text))


def split_keys(text: str) -> set[str]:
    """The keys of every way to cut a name in two ("Directorate of Residency, Ministry of
    Interior" → "directorateresidency" and "ministryinterior", …): a name written with its
    parent's inside it."""
    words = name_words(text)
    return {"".join(part) for i in range(1, len(words)) for part in (words[:i], words[i:])}


def _digits(key: str) -> str:
    return "".join(ch for ch in key if ch.isdigit())


def near_miss_score(a: str, b: str) -> float:
    """How alike two keys are (0-100), or 0 when either is short or their numbers differ
    ("Directorate 3" is not a typo of "Directorate 8")."""
    if min(len(a), len(b)) < NEAR_MISS_MIN_LENGTH or _digits(a) != _digits(b):
        return 0.0
    return fuzz.ratio(a, b)
