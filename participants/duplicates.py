"""Finding people who may already be registered: the warnings shown before a trainee is saved.

A nomination list spells the same official "Al-Saadi", "Alsaadi", "al Saadi" or "الساعدي", and
"Mohammed", "Muhammad" or "محمد". Names are compared as sets of *skeletons*: each word is
transliterated to ASCII (``anyascii``), loses the Arabic article, and is reduced to its
consonants (vowels, ayn and hamza dropped; doubled letters collapsed). An initial vowel, ayn or
hamza is kept as a marker, which keeps "Ahmad" (أحمد) apart from "Hamid" (حامد).

The checks never load every participant: the e-mail is one indexed lookup, the same
organisation is scanned (usually tens of people), and similar names in other organisations
come from a bounded database prefilter on the words of the name. This module only reads.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from .models import Organisation, Participant

SAME_EMAIL = "same_email"
SAME_NAME_ORG = "same_name_org"
SIMILAR_NAME_ORG = "similar_name_org"
SIMILAR_NAME = "similar_name"
REASONS = (SAME_EMAIL, SAME_NAME_ORG, SIMILAR_NAME_ORG, SIMILAR_NAME)  # strongest first

# Other organisations are searched through a prefilter on the words of the name; at most this
# many rows are compared in Python, so one keystroke costs a bounded amount of work.
CROSS_ORGANISATION_LIMIT = 200
MAX_CANDIDATES = 10
# Two names written as one ("Abdulrahman" / "Abd al-Rahman") are compared as whole skeletons;
# only long ones, since short skeletons differ by one letter between different names.
FUZZY_MIN_LENGTH = 6
FUZZY_MIN_RATIO = 90

_SPLIT = re.compile(r"[\s\-_.,/()]+")
_ARABIC_ALIFS = str.maketrans({"أ": "a", "إ": "a", "آ": "a", "ٱ": "a", "ا": "a", "ة": "h"})
_LATIN_ARTICLES = frozenset({"al", "el", "ul", "il"})
_DIGRAPHS = (("sch", "S"), ("sh", "S"), ("ch", "C"), ("kh", "x"), ("gh", "g"), ("th", "t"),
             ("dh", "d"), ("zh", "j"), ("dj", "j"), ("ph", "f"), ("ck", "k"), ("q", "k"),
             ("c", "k"))  # fmt: skip
_DROPPED = frozenset("aeiouyw'`")
_MARKERS = frozenset("aeiou'`")


def _is_arabic(word: str) -> bool:
    return any("\u0600" <= char <= "\u06ff" for char in word)


def _strip_article(word: str) -> str:
    """The word without a glued Arabic article: "الساعدي" → "ساعدي", "alsaadi" → "saadi"
    (only before a consonant and a long enough rest, so "Alina" and "Ali" keep theirs)."""
    if _is_arabic(word):
        return word[2:] if word.startswith("ال") and len(word) > 3 else word
    for article in _LATIN_ARTICLES:
        rest = word[len(article) :]
        if word.startswith(article) and len(rest) >= 4 and rest[0] not in "aeiouy'`":
            return rest
    return word


@lru_cache(maxsize=65_536)
def word_skeleton(word: str) -> str:
    """The consonant skeleton of one word of a name, in any script ("" for an article)."""
    word = unicodedata.normalize("NFKC", word).casefold().strip("'`")
    if not word or word in _LATIN_ARTICLES or word == "ال":
        return ""
    word = _strip_article(word)
    if _is_arabic(word):
        word = word.translate(_ARABIC_ALIFS)
    text = re.sub(r"[^a-z'`]", "", anyascii(word).lower())
    if not text:
        return ""
    marker = "a" if text[0] in _MARKERS else ""
    for digraph, letter in _DIGRAPHS:
        text = text.replace(digraph, letter)
    text = text.removesuffix("h")  # Fatimah / Fatima, Abdullah / Abdulla, ة
    if text[:1] in ("y", "w"):  # an initial y or w is a consonant (Yusuf, Walid)
        marker, text = text[0], text[1:]
    consonants = "".join(char for char in text if char not in _DROPPED)
    collapsed = re.sub(r"(.)\1+", r"\1", consonants)
    return marker + collapsed if (marker or collapsed) else ""


def name_key(text: str) -> tuple[str, ...]:
    """The skeletons of the words of a name, in order, articles left out."""
    return tuple(s for word in _SPLIT.split(text or "") if (s := word_skeleton(word)))


def keys_match(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether two name keys are one name spelled two ways: the same words, or all (at least
    two) words of one within the other, or the same letters written as one or more words."""
    if not a or not b:
        return False
    small, large = sorted((set(a), set(b)), key=len)
    if small == large or (len(small) >= 2 and small <= large):
        return True
    joined_a, joined_b = "".join(a), "".join(b)
    if joined_a == joined_b:
        return True
    if min(len(joined_a), len(joined_b)) < FUZZY_MIN_LENGTH:
        return False
    return fuzz.ratio(joined_a, joined_b) >= FUZZY_MIN_RATIO


def person_keys(first_name: str, last_name: str, native_name: str) -> list[tuple[str, ...]]:
    """A person's name keys: the Latin (or any-script) name and the native-script name."""
    keys = [name_key(f"{first_name} {last_name}"), name_key(native_name)]
    return [key for key in keys if key]


def names_match(a: list[tuple[str, ...]], b: list[tuple[str, ...]]) -> bool:
    return any(keys_match(x, y) for x in a for y in b)


# --- Finding candidates ---------------------------------------------------------------------


@dataclass
class Candidate:
    participant: Participant
    reason: str
    message: str


def _message(reason: str, participant: Participant) -> str:
    # Spelled out so makemessages finds each sentence.
    messages = {
        SAME_EMAIL: _("%(name)s is already registered with this e-mail address."),
        SAME_NAME_ORG: _("%(name)s has the same name in the same organisation."),
        SIMILAR_NAME_ORG: _("%(name)s has a similar name in the same organisation."),
        SIMILAR_NAME: _("%(name)s has a similar name (another organisation)."),
    }
    return messages[reason] % {"name": participant.full_name}


def _same_name(participant: Participant, first_name: str, last_name: str) -> bool:
    return (participant.first_name.casefold(), participant.last_name.casefold()) == (
        first_name.strip().casefold(),
        last_name.strip().casefold(),
    )


def _prefilter(first_name: str, last_name: str, native_name: str) -> Q | None:
    """A database filter likely to contain every similar name: a person whose name or
    native name contains one of the words (without article) of the name being checked.
    It misses spellings that share no word ("Ahmad" / "Ahmed" in another organisation): that
    needs a stored key (see docs/decisions.md)."""
    query = Q()
    for word in _SPLIT.split(f"{first_name} {last_name} {native_name}"):
        core = _strip_article(unicodedata.normalize("NFKC", word).casefold())
        if len(core) < 3 or core in _LATIN_ARTICLES:
            continue
        query |= (
            Q(first_name__icontains=core)
            | Q(last_name__icontains=core)
            | Q(native_name__icontains=core)
        )
    return query or None


def find_duplicates(
    *,
    first_name: str = "",
    last_name: str = "",
    native_name: str = "",
    email: str = "",
    organisation: Organisation | None = None,
    exclude: int | None = None,
) -> list[Candidate]:
    """People who may be the person described, strongest reason first, at most
    ``MAX_CANDIDATES``. ``exclude`` leaves out the record being edited. Three queries at
    most, whatever the number of people registered."""
    people = Participant.objects.select_related("organisation__parent")
    people = people.exclude(pk=exclude) if exclude else people
    found: dict[Participant, str] = {}
    email = (email or "").strip()
    if email:
        # Lower("email") is what the unique constraint indexes: one index lookup.
        matches = people.alias(email_lower=Lower("email")).filter(email_lower=email.lower())
        found |= {p: SAME_EMAIL for p in matches}
    wanted = person_keys(first_name, last_name, native_name)
    if wanted:
        if organisation is not None:
            colleagues = people.filter(organisation=organisation)
        else:  # "no organisation" is no group: only the exact name is worth a warning
            colleagues = people.filter(
                organisation__isnull=True,
                first_name__iexact=first_name.strip(),
                last_name__iexact=last_name.strip(),
            )
        for person in colleagues:
            if _same_name(person, first_name, last_name):
                found.setdefault(person, SAME_NAME_ORG)
            elif names_match(wanted, _keys_of(person)):
                found.setdefault(person, SIMILAR_NAME_ORG)
        for person in _elsewhere(people, organisation, first_name, last_name, native_name):
            if names_match(wanted, _keys_of(person)):
                found.setdefault(person, SIMILAR_NAME)
    return _ordered(found)


def _elsewhere(people, organisation, first_name: str, last_name: str, native_name: str):
    """People outside ``organisation`` who pass the prefilter, newest first, bounded."""
    prefilter = _prefilter(first_name, last_name, native_name)
    if prefilter is None:
        return []
    others = people.filter(prefilter)
    if organisation is not None:
        others = others.exclude(organisation=organisation)
    return others.order_by("-pk")[:CROSS_ORGANISATION_LIMIT]


def _keys_of(participant: Participant) -> list[tuple[str, ...]]:
    return person_keys(participant.first_name, participant.last_name, participant.native_name)


def _ordered(found: dict[Participant, str]) -> list[Candidate]:
    rank = {reason: index for index, reason in enumerate(REASONS)}
    ordered = sorted(found.items(), key=lambda item: (rank[item[1]], item[0].full_name))
    return [Candidate(p, reason, _message(reason, p)) for p, reason in ordered[:MAX_CANDIDATES]]
