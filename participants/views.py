"""Trainee pages: the searchable list, registration with live duplicate warnings, the detail
and edit pages, merging two records of one person, and importing a nomination list.

Every role reads trainees (docs/decisions.md §7: trainers see who they teach); only the project
team and coordinators register, edit, merge and import. Writes go through
``participants.services`` and ``participants.merging``; a domain error becomes a message or a
form error and changes nothing.
"""

from typing import cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Field, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import role_required
from accounts.roles import ALL_ROLES, COORDINATOR, PROJECT_TEAM, has_role
from core.errors import DomainError
from core.requests import HtmxHttpRequest

from . import import_sheets, import_uploads, imports, services, visibility
from .duplicates import SAME_EMAIL, find_duplicates
from .forms import (
    EnrolInCourseForm,
    ImportConfirmForm,
    ImportUploadForm,
    ParticipantForm,
    ParticipantListFilter,
)
from .merging import FILLABLE_FIELDS, participants_merge, records_alike
from .models import Enrolment, Organisation, Participant

TEAM = (PROJECT_TEAM, COORDINATOR)
PARTICIPANTS_PER_PAGE = 25


# --- List and detail ------------------------------------------------------------------------


@role_required(*ALL_ROLES)
def participant_list(request: HtmxHttpRequest) -> HttpResponse:
    # A trainer counts only the courses they teach, as they see only those.
    counted = None
    if not visibility.sees_everyone(request.user):
        counted = Q(enrolments__in=visibility.visible_enrolments(request.user).values("pk"))
    queryset = (
        visibility.visible_participants(request.user)
        .select_related("organisation__parent")
        .annotate(enrolment_count=Count("enrolments", filter=counted))
        .order_by("last_name", "first_name", "pk")  # a GROUP BY drops Meta.ordering
    )
    filterset = ParticipantListFilter(request.GET or None, queryset=queryset, request=request)
    page = Paginator(filterset.qs, PARTICIPANTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "page": page,
        "can_edit": has_role(request.user, *TEAM),
        "full_record": visibility.sees_everyone(request.user),
    }
    # htmx asks for the results only; a history restore needs the whole page again.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "participants/_results.html" if partial else "participants/participant_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _personal_data_url(participant: Participant) -> str | None:
    """The personal-data page, when that part of the product is installed."""
    try:
        return reverse("participant-personal-data", args=[participant.pk])
    except NoReverseMatch:
        return None


@role_required(*ALL_ROLES)
def participant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    participant = get_object_or_404(
        visibility.visible_participants(request.user).select_related("organisation__parent"),
        pk=pk,
    )
    return _render_detail(request, participant)


def _render_detail(
    request: HttpRequest,
    participant: Participant,
    enrol_form: EnrolInCourseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    everyone = visibility.sees_everyone(request.user)
    enrolments = (
        visibility.visible_enrolments(request.user)
        .filter(participant=participant)
        .select_related("course__programme")
    )
    if everyone:  # certificates are the project team's and coordinators' (newest first)
        enrolments = enrolments.prefetch_related("certificates")
    can_edit = has_role(request.user, *TEAM)
    if can_edit and enrol_form is None:
        enrol_form = EnrolInCourseForm(participant=participant)
    context = {
        "participant": participant,
        "enrolments": enrolments.order_by("-course__start_date"),
        "can_edit": can_edit,
        "full_record": everyone,  # contact data, consent, certificates
        "can_reissue": has_role(request.user, COORDINATOR),
        "possible_duplicates": _duplicates_of(participant) if can_edit else (),
        "personal_data_url": _personal_data_url(participant) if can_edit else None,
        "enrol_form": enrol_form if can_edit else None,
    }
    return render(request, "participants/participant_detail.html", context, status=status)


@role_required(*TEAM)
@require_POST
def participant_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    """Add the trainee to a course that takes enrolments, through the service the course's
    "Add trainees" and the API use (a full course puts them on the waiting list)."""
    participant = get_object_or_404(
        visibility.visible_participants(request.user).select_related("organisation__parent"),
        pk=pk,
    )
    form = EnrolInCourseForm(request.POST, participant=participant)
    if form.is_valid():
        course = form.cleaned_data["course"]
        try:
            result = services.enrolments_bulk_create(
                course=course, participants=[participant], by=request.user
            )
        except DomainError as error:
            form.add_error("course", error.message)
        else:
            names = {"name": participant.full_name, "course": course.display_title}
            if result.waitlisted:
                text = _("%(course)s is full: %(name)s is on its waiting list.") % names
                messages.warning(request, text)
            elif result.seated:
                messages.success(request, _("%(name)s is enrolled in %(course)s.") % names)
            else:
                messages.info(request, _("%(name)s was already in %(course)s.") % names)
            return redirect("participant-detail", participant.pk)
    return _render_detail(request, participant, form, status=400)


def _duplicates_of(participant: Participant):
    return find_duplicates(
        first_name=participant.first_name,
        last_name=participant.last_name,
        native_name=participant.native_name,
        email=participant.email,
        organisation=participant.organisation,
        exclude=participant.pk,
    )


# --- Registration and editing ---------------------------------------------------------------


def _warnings_for(form: ParticipantForm, exclude: int | None = None):
    data = form.cleaned_data
    return find_duplicates(
        first_name=data.get("first_name") or "",
        last_name=data.get("last_name") or "",
        native_name=data.get("native_name") or "",
        email=data.get("email") or "",
        organisation=data.get("organisation"),
        exclude=exclude,
    )


def _check_warnings(form: ParticipantForm, exclude: int | None = None) -> list:
    """Add form errors for the warnings that stop a save: the same e-mail always (the service
    refuses it too), any other unless "this is a different person" is ticked."""
    warnings = _warnings_for(form, exclude)
    if any(w.reason == SAME_EMAIL for w in warnings):
        form.add_error("email", _("Another participant is already registered with this e-mail."))
    elif warnings and not form.cleaned_data.get("different_person"):
        form.add_error(
            "different_person",
            _("Check the similar records above: open one, or tick this box if this is a "
              "different person."),
        )  # fmt: skip
    return warnings


def _add_domain_error(form: ParticipantForm, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@role_required(*TEAM)
def participant_new(request: HttpRequest) -> HttpResponse:
    form = ParticipantForm(request.POST or None, enrol=True)
    warnings = []
    if request.method == "POST" and form.is_valid():
        warnings = _check_warnings(form)
        if form.is_valid():
            try:
                participant = services.participant_register(
                    **form.service_fields(),
                    course=form.cleaned_data.get("course"),
                    by=request.user,
                )
            except DomainError as error:
                _add_domain_error(form, error)
            else:
                messages.success(
                    request, _("%(name)s is registered.") % {"name": participant.full_name}
                )
                return redirect("participant-detail", participant.pk)
    context = {"form": form, "warnings": warnings, "creating": True}
    return render(request, "participants/participant_form.html", context)


@role_required(*TEAM)
def participant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    participant = get_object_or_404(Participant, pk=pk)
    form = ParticipantForm(request.POST or None, instance=participant)
    warnings = []
    if request.method == "POST" and form.is_valid():
        warnings = _check_warnings(form, exclude=participant.pk)
        if form.is_valid():
            try:
                services.participant_update(
                    participant=Participant.objects.get(pk=pk),
                    by=request.user,
                    **form.service_fields(),
                )
            except DomainError as error:
                _add_domain_error(form, error)
            else:
                messages.success(request, _("The changes are saved."))
                return redirect("participant-detail", pk)
    context = {"form": form, "warnings": warnings, "participant": participant}
    return render(request, "participants/participant_form.html", context)


@role_required(*TEAM)
@require_GET
def duplicate_warnings(request: HttpRequest) -> HttpResponse:
    """The warnings shown while the registration form is filled in (htmx, debounced)."""
    params = request.GET
    organisation = None
    if params.get("organisation", "").isdigit():
        organisation = Organisation.objects.filter(pk=params["organisation"]).first()
    exclude = params.get("exclude", "")
    warnings = find_duplicates(
        first_name=params.get("first_name", "")[:150],
        last_name=params.get("last_name", "")[:150],
        native_name=params.get("native_name", "")[:300],
        email=params.get("email", "")[:254],
        organisation=organisation,
        exclude=int(exclude) if exclude.isdigit() else None,
    )
    context = {"warnings": warnings, "editing": int(exclude) if exclude.isdigit() else None}
    return render(request, "participants/_duplicate_warnings.html", context)


# --- Merge ----------------------------------------------------------------------------------


def _shown(participant: Participant, name: str) -> str:
    if name == "country":
        return participant.country.name or ""
    if name == "gender":
        return participant.get_gender_display() if participant.gender else ""
    return str(getattr(participant, name) or "")


def _comparison(survivor: Participant, duplicate: Participant) -> list[dict]:
    """One row per field: both values, and whether the merge fills the survivor's blank."""
    return [
        {
            "label": cast(Field, Participant._meta.get_field(name)).verbose_name,  # a column
            "survivor": _shown(survivor, name),
            "duplicate": _shown(duplicate, name),
            "filled": not getattr(survivor, name) and bool(getattr(duplicate, name)),
        }
        for name in FILLABLE_FIELDS
    ]


def _merge_side(participant: Participant) -> list[Enrolment]:
    return list(
        participant.enrolments.select_related("course")
        .annotate(days=Count("attendance", distinct=True))
        .annotate(certificate_count=Count("certificates", distinct=True))
        .order_by("-course__start_date")
    )


@role_required(*TEAM)
def participant_merge(request: HttpRequest, pk: int) -> HttpResponse:
    people = Participant.objects.select_related("organisation__parent")
    survivor = get_object_or_404(people, pk=pk)
    raw = (
        request.POST.get("duplicate") if request.method == "POST" else request.GET.get("duplicate")
    )
    if raw is None or not raw.isdigit():
        raise Http404(_("Choose the record to merge into this one."))
    duplicate = get_object_or_404(people, pk=int(raw))
    if duplicate.pk == survivor.pk:
        messages.error(request, _("A record cannot be merged with itself."))
        return redirect("participant-detail", survivor.pk)
    if request.method == "POST":
        try:
            participants_merge(
                survivor=survivor,
                duplicate=duplicate,
                reason=request.POST.get("reason", ""),
                by=request.user,
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("The two records are merged into %(name)s.") % {"name": survivor.full_name},
            )
            return redirect("participant-detail", survivor.pk)
    context = {
        "survivor": survivor,
        "duplicate": duplicate,
        "rows": _comparison(survivor, duplicate),
        "survivor_enrolments": _merge_side(survivor),
        "duplicate_enrolments": _merge_side(duplicate),
        "needs_reason": not records_alike(survivor, duplicate),
    }
    return render(request, "participants/participant_merge.html", context)


# --- Import ---------------------------------------------------------------------------------


def _preview_context(report: imports.ImportReport, token: str, entry: dict) -> dict:
    errors: dict[int, list] = {}
    for error in report.errors:
        errors.setdefault(error.row, []).append(error)
    rows = sorted(report.rows, key=lambda outcome: outcome.row)
    for outcome in rows:
        outcome.errors = errors.get(outcome.row, [])  # type: ignore[attr-defined]  # for the template only
    return {
        "report": report,
        "rows": rows,
        "token": token,
        "filename": entry["filename"],
        "invalid_count": len(errors),
    }


def _dry_run(request: HttpRequest, token: str) -> imports.ImportReport:
    data = import_uploads.read(request, token)
    return services.participants_import(file=_Bytes(data), by=request.user, dry_run=True)


class _Bytes:
    """The stored bytes as the upload ``participants_import`` reads (``read`` and ``size``)."""

    def __init__(self, data: bytes) -> None:
        self.data, self.size = data, len(data)

    def read(self, limit: int = -1) -> bytes:
        return self.data if limit < 0 else self.data[:limit]


@role_required(*TEAM)
def import_page(request: HttpRequest) -> HttpResponse:
    """Step 1: upload; answers with the preview (a dry run) of every row."""
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            token = import_uploads.stash(request, form.cleaned_data["file"])
            report = _dry_run(request, token)
        except DomainError as error:
            form.add_error("file", error.message)
        else:
            context = _preview_context(report, token, import_uploads.entry(request, token))
            context["confirm"] = ImportConfirmForm(initial={"token": token})
            return render(request, "participants/import_preview.html", context)
    return render(request, "participants/import_upload.html", {"form": form})


@role_required(*TEAM)
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    """Step 2: import the file previewed in step 1 (kept on the server, never sent again)."""
    form = ImportConfirmForm(request.POST)
    token = request.POST.get("token", "")
    try:
        entry = import_uploads.entry(request, token)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("participant-import")
    if form.is_valid():
        data = import_uploads.read(request, token)
        try:
            report = services.participants_import(
                file=_Bytes(data),
                by=request.user,
                skip_invalid=form.cleaned_data["mode"] == "valid",
                course=form.cleaned_data["course"],
            )
        except services.ImportRefused as refused:
            messages.error(
                request,
                _("Nothing was imported: the file has invalid rows. Fix them, or choose to "
                  "import the valid rows only."),
            )  # fmt: skip
            context = _preview_context(refused.report, token, entry)
            context["confirm"] = form
            return render(request, "participants/import_preview.html", context, status=400)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            import_uploads.discard(request, token)
            messages.success(request, _import_summary(report))
            return redirect("participant-list")
    context = _preview_context(_dry_run(request, token), token, entry)
    context["confirm"] = form
    return render(request, "participants/import_preview.html", context, status=400)


def _import_summary(report: imports.ImportReport) -> str:
    text = _("Imported: %(created)d new, %(updated)d updated, %(skipped)d skipped.") % {
        "created": report.created,
        "updated": report.updated,
        "skipped": report.skipped,
    }
    if report.enrolled:
        text += " " + _("%(n)d enrolled in the course.") % {"n": report.enrolled}
    return text


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@role_required(*TEAM)
@require_GET
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt == "csv":
        return _download(import_sheets.template_csv(), "trainees.csv", "text/csv; charset=utf-8")
    return _download(import_sheets.template_xlsx(), "trainees.xlsx", import_sheets.XLSX_TYPE)


@role_required(*TEAM)
@require_GET
def import_error_report(request: HttpRequest, token: str) -> HttpResponse:
    try:
        data = import_uploads.read(request, token)
        table = imports.read_table(data)
        report = services.participants_import(file=_Bytes(data), by=request.user, dry_run=True)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("participant-import")
    body = import_sheets.error_report_xlsx(table, report)
    return _download(body, "trainees-errors.xlsx", import_sheets.XLSX_TYPE)
