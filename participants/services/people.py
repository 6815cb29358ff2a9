"""Registering and editing trainees: cleaned names, normalised phone numbers, one e-mail per
person, consent stamped when given."""

import datetime as dt
import functools
from typing import Any

import phonenumbers
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from core.actor import Actor
from core.errors import DomainError
from core.records import save_validated
from core.text import without_bidi_controls

from ..models import (
    Organisation,
    Participant,
)

# --- Participants ---------------------------------------------------------------------------

PARTICIPANT_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "native_name",
        "gender",
        "email",
        "phone",
        "organisation",
        "position",
        "country",
        "consent_given",
        "consent_date",
        "notes",
    }
)
_TRIMMED = ("first_name", "last_name", "native_name", "email", "phone", "position")


def phone_region(
    *, organisation: Organisation | None = None, course_country: str = "", country: str = ""
) -> str:
    """The country a national number (without +code) is read in: the organisation's (or its
    parent's), else the course's, else the trainee's nationality."""
    if organisation is not None and organisation.country:
        return str(organisation.country)
    if organisation is not None and organisation.parent and organisation.parent.country:
        return str(organisation.parent.country)
    return str(course_country or country or "")


def phone_normalise(raw: str, country: str = "") -> str:
    """The number in international format (E.164), national numbers read in ``country``.

    Raises ``DomainError`` (field ``phone``) when it is not a valid phone number: a record
    with "abc123" or "call the office" in it reaches nobody."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    e164 = _e164(raw, str(country or ""))
    if e164 is None:
        raise DomainError(phone_error(raw, str(country or "")), field="phone")
    return e164


@functools.lru_cache(maxsize=32_768)
def _e164(raw: str, country: str) -> str | None:
    """Cached: parsing is pure Python (≈ 0.1 ms a number), and a nomination list is parsed
    twice, by its preview and by its import, usually in the same process."""
    try:
        number = phonenumbers.parse(raw, country or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_error(raw: str, country: str) -> str:
    if country:
        return _(
            "“%(raw)s” is not a phone number (a number without +country code is read as one "
            "in %(country)s)."
        ) % {"raw": raw, "country": countries.name(country) or country}
    return _("“%(raw)s” is not a phone number: write it with its +country code.") % {"raw": raw}


def clean_participant_fields(
    fields: dict[str, Any],
    country: str = "",
    organisation: Organisation | None = None,
    course_country: str = "",
) -> dict[str, Any]:
    unknown = set(fields) - PARTICIPANT_FIELDS
    if unknown:
        raise DomainError(_("Unknown participant fields: %s") % ", ".join(sorted(unknown)))
    fields = dict(fields)
    for name in _TRIMMED:
        if name in fields:
            fields[name] = without_bidi_controls(fields[name] or "").strip()
    if "phone" in fields:
        region = phone_region(
            organisation=fields.get("organisation", organisation),
            course_country=course_country,
            country=str(fields.get("country") or country or ""),
        )
        fields["phone"] = phone_normalise(fields["phone"], region)
    return fields


def _check_participant(participant: Participant) -> None:
    """The two rules whose constraint messages would otherwise be cryptic."""
    if not participant.first_name and not participant.last_name:
        raise DomainError(
            _("A participant needs at least one name (given or family)."), field="first_name"
        )
    if participant.email:
        clash = Participant.objects.filter(email__iexact=participant.email)
        if participant.pk:
            clash = clash.exclude(pk=participant.pk)
        if clash.exists():
            raise DomainError(
                _("Another participant is already registered with the e-mail %(email)s.")
                % {"email": participant.email},
                field="email",
            )


def stamp_consent(participant: Participant) -> None:
    if participant.consent_given and not participant.consent_date:
        participant.consent_date = timezone.localdate()


@transaction.atomic
def participant_create(
    *,
    first_name: str = "",
    last_name: str = "",
    native_name: str = "",
    gender: str = "",
    email: str = "",
    phone: str = "",
    organisation: Organisation | None = None,
    position: str = "",
    country: str = "",
    consent_given: bool = False,
    consent_date: dt.date | None = None,
    notes: str = "",
    course_country: str = "",
    by: Actor = None,
) -> Participant:
    """Register one trainee. A single name is enough; an e-mail, when given, must be unique
    (case-insensitive); a phone number must be one (``course_country``, the country of the
    course they are registered for, reads a national number when the organisation has none)."""
    fields = clean_participant_fields(
        {
            "first_name": first_name,
            "last_name": last_name,
            "native_name": native_name,
            "gender": gender,
            "email": email,
            "phone": phone,
            "organisation": organisation,
            "position": position,
            "country": country,
            "consent_given": consent_given,
            "consent_date": consent_date,
            "notes": notes,
        },
        course_country=course_country,
    )
    participant = Participant(**fields)
    _check_participant(participant)
    stamp_consent(participant)
    return save_validated(participant)


@transaction.atomic
def participant_update(*, participant: Participant, by: Actor = None, **fields: Any) -> Participant:
    """Change some of a trainee's fields (the import column names)."""
    fields = clean_participant_fields(
        fields, country=str(participant.country or ""), organisation=participant.organisation
    )
    for name, value in fields.items():
        setattr(participant, name, value)
    _check_participant(participant)
    stamp_consent(participant)
    return save_validated(participant)
