"""Importing a nomination list: plan every row against the registry (new, update, duplicate of
an earlier row, invalid), then write all or nothing (or the valid rows only)."""

import dataclasses
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.actor import Actor
from core.errors import ConflictError, DomainError
from core.records import save_validated
from core.text import isolated
from trainings.models import Course

from .. import imports
from ..models import (
    Enrolment,
    Organisation,
    Participant,
)
from ..organisation_matching import OrganisationMatch
from ..organisation_names import name_key
from .enrolments import check_course_open, enrolments_bulk_create
from .people import (
    clean_participant_fields,
    participant_update,
    phone_normalise,
    phone_region,
    stamp_consent,
)

# --- Import ---------------------------------------------------------------------------------


class ImportRefused(DomainError):
    """The file has invalid rows and ``skip_invalid`` was not asked for: nothing was written.
    ``report`` says which rows and fields, and what the import would otherwise have done."""

    def __init__(self, report: imports.ImportReport) -> None:
        super().__init__(_("The file has invalid rows; nothing was imported."))
        self.report = report


@dataclass
class _PlannedRow:
    outcome: imports.RowOutcome
    values: dict[str, str]
    organisation: Organisation | None
    participant: Participant | None


@dataclass
class _Plan:
    rows: list[_PlannedRow] = field(default_factory=list)
    duplicates: dict[int, int] = field(default_factory=dict)  # row number → first row number
    new_organisations: dict[str, str] = field(default_factory=dict)  # name key → as spelled
    course_country: str = ""  # reads a national phone number when the organisation has none
    # Worked out once per file, not per row: the phone region of an (organisation, country),
    # the error of an organisation as written in a country.
    regions: dict[tuple, str] = field(default_factory=dict)
    organisation_errors: dict[tuple[str, str], imports.RowError] = field(default_factory=dict)


def _read_upload(file: Any) -> bytes:
    if (getattr(file, "size", 0) or 0) > imports.MAX_BYTES:
        raise DomainError(_("The file is larger than 5 MB; split it into smaller files."))
    return file.read(imports.MAX_BYTES + 1)


@dataclass
class _Checked:
    """A data row read from the file and validated, before it meets the registry."""

    number: int
    name: str
    clean: dict[str, str]
    errors: list[tuple[str, str]]


def _check_rows(table: imports.Table, report: imports.ImportReport) -> list[_Checked]:
    """Map the header and validate every filled row: no database, no transaction."""
    columns, report.ignored_columns = imports.map_header(table.header)
    checked = []
    for number, raw in table.rows:
        values = imports.row_values(raw, columns)
        clean, errors = imports.validate_row(values)
        checked.append(_Checked(number, imports.display_name(values), clean, errors))
    return checked


def _organisation_error(number: int, written: str, match) -> imports.RowError:
    """A row's organisation is not registered but looks like one that is (or names several):
    an error with the candidates, never a new organisation."""
    names = [str(o) for o in match.candidates]
    quoted = _(" or ").join(_("“%s”") % isolated(name) for name in names)
    written = isolated(written)
    if match.ambiguous:
        message = _(
            "“%(written)s” matches several registered organisations: %(candidates)s. Write the "
            "one you mean as it is registered."
        ) % {"written": written, "candidates": quoted}
    else:
        message = _(
            "“%(written)s” is not a registered organisation. Did you mean %(candidates)s? "
            "Write it as registered."
        ) % {"written": written, "candidates": quoted}
    candidates = [
        {"id": o.pk, "name": name} for o, name in zip(match.candidates, names, strict=True)
    ]
    return imports.RowError(number, "organisation", message, candidates)


def _row_errors(row: _Checked, match, person, plan: "_Plan") -> list[imports.RowError]:
    """The row's own errors, then those that need the registry: its organisation, and its
    phone number, read in the organisation's (or course's, or trainee's) country. A valid
    phone number is stored in ``row.clean`` in E.164."""
    number, clean = row.number, row.clean
    errors = [imports.RowError(number, f, m) for f, m in row.errors]
    if clean["organisation"] and match.organisation is None and match.candidates:
        written = (clean["organisation"], clean["country"])  # what the match depends on
        if written not in plan.organisation_errors:
            plan.organisation_errors[written] = _organisation_error(0, written[0], match)
        errors.append(dataclasses.replace(plan.organisation_errors[written], row=number))
    if clean["phone"] and not any(e.field == "phone" for e in errors):
        country = clean["country"] or (str(person.country or "") if person else "")
        organisation = match.organisation
        region_key = (organisation.pk if organisation else None, country)
        if region_key not in plan.regions:
            plan.regions[region_key] = phone_region(
                organisation=organisation, course_country=plan.course_country, country=country
            )
        region = plan.regions[region_key]
        try:
            clean["phone"] = phone_normalise(clean["phone"], region)
        except DomainError as error:
            errors.append(imports.RowError(number, "phone", error.message))
    return errors


def _organisation_change(person: Participant | None, organisation, written: str) -> str:
    """ "organisation: A → B" when the row moves a registered person to another organisation
    (an empty cell keeps the registered one)."""
    if person is None or not written:
        return ""
    if organisation is not None and organisation.pk == person.organisation_id:
        return ""
    new = str(organisation) if organisation is not None else _("%s (new)") % written
    old = str(person.organisation) if person.organisation is not None else _("none")
    return _("organisation: %(old)s → %(new)s") % {"old": isolated(old), "new": isolated(new)}


def _plan_row(row: _Checked, plan: _Plan, report, seen: dict, registry: imports.Registry) -> None:
    """Decide what happens to one checked row (create, update, duplicate or invalid),
    recording the outcome in ``report``."""
    number, name, clean = row.number, row.name, row.clean
    match = registry.organisation(clean)
    person = registry.participant(clean, match.organisation)
    if match.ambiguous and person is not None:
        # "Ministry of Interior" for someone registered (by e-mail) in one of those named.
        mine = [o for o in match.candidates if o.pk == person.organisation_id]
        match = OrganisationMatch(mine[0]) if mine else match
    organisation = match.organisation
    errors = _row_errors(row, match, person, plan)
    if errors:
        report.errors += errors
        report.rows.append(imports.RowOutcome(number, "invalid", None, name, _("Invalid row.")))
        report.skipped += 1
        return
    org_key = organisation.pk if organisation else name_key(clean["organisation"]) or None
    keys = imports.identity_keys(clean, org_key, person.pk if person else None)
    first = next((seen[key] for key in keys if key in seen), None)
    if first is not None:
        message = _("duplicate of row %d") % first
        report.rows.append(imports.RowOutcome(number, "duplicate", None, name, message))
        report.skipped += 1
        plan.duplicates[number] = first
        return
    seen.update(dict.fromkeys(keys, number))
    if organisation is None and clean["organisation"]:
        # No organisation matched, nor nearly: the key is the name as written, normalised.
        plan.new_organisations.setdefault(cast(str, org_key), clean["organisation"])
    action = "update" if person else "create"
    change = _organisation_change(person, organisation, clean["organisation"])
    outcome = imports.RowOutcome(number, action, person.pk if person else None, name, change)
    report.rows.append(outcome)
    report.updated += bool(person)
    report.created += not person
    plan.rows.append(_PlannedRow(outcome, clean, organisation, person))


def _plan_import(
    rows: list[_Checked], report: imports.ImportReport, course: Course | None = None
) -> _Plan:
    """Match the checked rows against the registry (a few reads) and plan the writes."""
    plan = _Plan(course_country=str(course.country or "") if course is not None else "")
    seen: dict[tuple, int] = {}  # identity key → first row number
    # The registry only looks at e-mails, organisations and countries, which validation
    # leaves as read (countries as their codes).
    registry = imports.Registry(row.clean for row in rows)
    for row in rows:
        _plan_row(row, plan, report, seen, registry)
    report.new_organisations = list(plan.new_organisations.values())
    return plan


def _row_fields(item: _PlannedRow, organisations: dict) -> tuple[dict[str, Any], Any]:
    fields = {name: item.values[name] for name in imports.FIELDS if name != "organisation"}
    organisation = item.organisation or organisations.get(name_key(item.values["organisation"]))
    return fields, organisation


def _update_row(item: _PlannedRow, organisations: dict, by) -> Participant:
    """An update only overwrites with what the file says; empty cells keep what is registered.
    A row that changes nothing writes nothing, so re-importing a list is cheap and leaves
    ``updated_at`` alone."""
    fields, organisation = _row_fields(item, organisations)
    person = item.participant
    assert person is not None  # an update is of a registered person
    changes = {name: value for name, value in fields.items() if value}
    if organisation is not None:
        changes["organisation"] = organisation
    cleaned = clean_participant_fields(changes, country=str(person.country or ""))
    if all(getattr(person, name) == value for name, value in cleaned.items()):
        return person
    return participant_update(participant=person, by=by, **changes)


def _create_rows(items: list[_PlannedRow], organisations: dict) -> list[Participant]:
    """Insert the new people of an import in batches.

    ``imports.validate_row`` checked every value the file can set (lengths, e-mail, gender,
    country, a name) and the registry matched every e-mail already registered, so the per-row
    ``full_clean`` of ``participant_create`` (two constraint queries a row) is not repeated
    here. The database constraints still stand guard: if someone registers one of these people
    while the list is imported, the import is refused with a clear message and nothing is kept.
    """
    people = []
    for item in items:
        fields, organisation = _row_fields(item, organisations)
        phone = fields.pop("phone")  # validated and in E.164 since the plan (``_row_errors``)
        fields = clean_participant_fields(fields)
        person = Participant(**fields, phone=phone, organisation=organisation)
        stamp_consent(person)
        people.append(person)
    try:
        with transaction.atomic():
            Participant.objects.bulk_create(people, batch_size=500)
    except IntegrityError as exc:
        raise ConflictError(
            _(
                "Someone registered one of these people while the list was being imported; "
                "nothing was imported. Import the file again."
            )
        ) from exc
    return people


def _apply_plan(plan: _Plan, by: Actor) -> list[Participant]:
    organisations = {
        key: save_validated(Organisation(name=name)) for key, name in plan.new_organisations.items()
    }
    created = iter(_create_rows([i for i in plan.rows if i.participant is None], organisations))
    people = []
    for item in plan.rows:
        new = item.participant is None
        person = next(created) if new else _update_row(item, organisations, by)
        item.outcome.participant = person.pk
        people.append(person)
    return people


def _would_enrol(plan: _Plan, course: Course) -> int:
    existing = [item.participant.pk for item in plan.rows if item.participant]
    already = Enrolment.objects.filter(course=course, participant_id__in=existing).count()
    return len(plan.rows) - already


def _fill_duplicates(plan: _Plan, report: imports.ImportReport) -> None:
    by_row = {outcome.row: outcome for outcome in report.rows}
    for number, first in plan.duplicates.items():
        by_row[number].participant = by_row[first].participant


def participants_import(
    *,
    file: Any,
    by: Actor,
    dry_run: bool = False,
    skip_invalid: bool = False,
    course: Course | None = None,
) -> imports.ImportReport:
    """Register or update the trainees listed in a CSV or XLSX file, and enrol them in
    ``course`` when given. Every row is validated before anything is written: with invalid rows
    and no ``skip_invalid`` it raises ``ImportRefused`` and writes nothing. A dry run writes
    nothing and reports what the import would do. Importing the same file twice registers
    each person once (the second time as updates).

    The file is read and every row checked before any transaction opens: reading is the slow
    part (bounded by ``imports.read_table``), and must not hold the database's write lock. Only
    matching against the registry and the writes run in the transaction; a dry run and an
    import refused for invalid rows open none."""
    report = imports.ImportReport(dry_run=dry_run)
    rows = _check_rows(imports.read_table(_read_upload(file)), report)
    refused = not skip_invalid and any(row.errors for row in rows)
    if dry_run or refused:
        plan = _plan_import(rows, report, course)
        if course is not None:
            check_course_open(course)
            report.enrolled = _would_enrol(plan, course)
        if refused and not dry_run:
            raise ImportRefused(report)
        return report
    return _import_rows(rows, report, by=by, course=course, skip_invalid=skip_invalid)


@transaction.atomic
def _import_rows(
    rows: list[_Checked],
    report: imports.ImportReport,
    *,
    by: Actor,
    course: Course | None,
    skip_invalid: bool,
) -> imports.ImportReport:
    """Plan against the registry as it is inside the transaction, then write all of it.
    Some errors only show against the registry (an organisation that is a near miss, a phone
    number read in the organisation's country): they refuse the file here, before any write."""
    plan = _plan_import(rows, report, course)
    if report.errors and not skip_invalid:
        raise ImportRefused(report)
    if course is not None:
        check_course_open(course)
    people = _apply_plan(plan, by)
    _fill_duplicates(plan, report)
    if course is not None:
        report.enrolled = len(
            enrolments_bulk_create(course=course, participants=people, by=by).created
        )
    return report
