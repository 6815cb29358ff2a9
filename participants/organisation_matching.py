"""Which registered organisation a name written by a person means: exact matches on the
normalised key (``organisation_names``), near misses offered as "did you mean …?", and the
clash rule that keeps one organisation from being registered twice under two spellings.

An organisation is known under its name, its name in native script, its Arabic and Russian
names and its acronym, each alone or together with one of its parent's ("Ministry of Interior —
Kurdistan Regional Government", "Directorate of Residency, Ministry of Interior", "KRG Ministry
of Interior", "MoI-KRG"). Must not query: callers hand it the organisations (with ``parent``
loaded), read in one query.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from .organisation_names import NEAR_MISS_MIN_LENGTH, NEAR_MISS_SCORE, name_key, near_miss_score

MAX_CANDIDATES = 3
_QUALIFIED, _NAMES, _ACRONYMS = range(3)  # tiers: a more specific spelling wins


def name_keys(organisation: Any) -> set[str]:
    """The keys of an organisation's names in every language (not its acronym)."""
    texts = (
        organisation.name,
        organisation.native_name,
        organisation.name_ar,
        organisation.name_ru,
    )
    return {key for text in texts if (key := name_key(text))}


def alias_keys(organisation: Any) -> set[str]:
    """Its name keys and its acronym's."""
    acronym = name_key(organisation.acronym)
    return name_keys(organisation) | ({acronym} if acronym else set())


def qualified_keys(organisation: Any) -> set[str]:
    """Each alias of the organisation with each of its parent's, in either order."""
    if organisation.parent_id is None:
        return set()
    parents = alias_keys(organisation.parent)
    return {k for own in alias_keys(organisation) for p in parents for k in (own + p, p + own)}


@dataclass
class OrganisationMatch:
    """The organisation a name means, or why there is none: ``candidates`` are the registered
    organisations it may mean (near misses, or several exact matches when ``ambiguous``)."""

    organisation: Any = None
    candidates: list = field(default_factory=list)
    ambiguous: bool = False


class OrganisationIndex:
    """The organisations given, by every key they are known under."""

    def __init__(self, organisations: Iterable[Any]) -> None:
        self._tiers: list[dict[str, list[Any]]] = [{}, {}, {}]
        for organisation in organisations:  # in pk order: the oldest first
            acronym = name_key(organisation.acronym)
            keyed = (
                qualified_keys(organisation),
                name_keys(organisation),
                {acronym} if acronym else set(),
            )
            for tier, keys in zip(self._tiers, keyed, strict=True):
                for key in keys:
                    tier.setdefault(key, []).append(organisation)
        self._fuzzy_keys = [
            key
            for tier in self._tiers[:_ACRONYMS]
            for key in tier
            if len(key) >= NEAR_MISS_MIN_LENGTH
        ]
        self._cache: dict[tuple[str, str], OrganisationMatch] = {}

    def find(self, text: str, country: str = "") -> OrganisationMatch:
        """What ``text`` means; ``country`` (an ISO code) picks among several exact matches."""
        # Cached by the text as written: a list repeats a handful of spellings.
        if (text, country) not in self._cache:
            key = name_key(text)
            self._cache[text, country] = self._find(key, country) if key else OrganisationMatch()
        return self._cache[text, country]

    def _find(self, key: str, country: str) -> OrganisationMatch:
        for tier in self._tiers:
            found = _unique(tier.get(key, ()))
            if len(found) > 1 and country:
                found = [o for o in found if str(o.country or "") == country] or found
            if len(found) == 1:
                return OrganisationMatch(found[0])
            if found:
                return OrganisationMatch(None, found[:MAX_CANDIDATES], ambiguous=True)
        return OrganisationMatch(None, self._near_misses(key))

    def _near_misses(self, key: str) -> list:
        if len(key) < NEAR_MISS_MIN_LENGTH:
            return []
        # rapidfuzz's C ratio prefilters; ``near_miss_score`` adds the rule on numbers.
        hits = process.extract(
            key, self._fuzzy_keys, scorer=fuzz.ratio, score_cutoff=NEAR_MISS_SCORE, limit=10
        )
        ranked = sorted(
            (hit for hit in hits if near_miss_score(key, hit[0]) >= NEAR_MISS_SCORE),
            key=lambda hit: -hit[1],
        )
        organisations = [
            o
            for candidate, _score, _i in ranked
            for tier in self._tiers
            for o in tier.get(candidate, ())
        ]
        return _unique(organisations)[:MAX_CANDIDATES]

    def clash(self, name: str, parent: Any, exclude: int | None = None) -> Any:
        """A registered organisation that ``name`` under ``parent`` would duplicate: the same
        name key in the same parent, a name written with the parent of a registered one inside
        it ("Ministry of Interior – KRG" when the Ministry of Interior of the KRG exists), or the
        other way round."""
        key = name_key(name)
        parent_id = parent.pk if parent is not None else None
        with_parent = (
            {k for p in alias_keys(parent) for k in (key + p, p + key)} if parent else set()
        )
        for organisation in _unique(o for tier in self._tiers for os in tier.values() for o in os):
            if organisation.pk == exclude or organisation.pk is None:
                continue
            names = {name_key(organisation.name)}
            if organisation.parent_id == parent_id and key in names:
                return organisation
            if parent is None and key in qualified_keys(organisation):
                return organisation
            if organisation.parent_id is None and with_parent & names:
                return organisation
        return None


def _unique(organisations: Iterable[Any]) -> list:
    seen: dict[Any, Any] = {}
    for organisation in organisations:
        seen.setdefault(organisation.pk, organisation)
    return list(seen.values())
