"""Course pages of the project team's daily work: the attendance grid, the trainees with their
statuses (bulk changes, waiting list, history) and the completion rule per trainee.

Who sees what follows the course page: the project team and coordinators, and the trainers who
teach the course (read-only). Changes go through ``delivery.services`` (statuses through
``participants.services``); a refused change comes back as a message naming the trainee and
the reason.

The course's files (roster, attendance sheet, daily sign-in sheet) follow the API's rules
(``delivery.exports``): a user without the right role, or a trainer of another course, gets 403;
a bad format or date sends the user back to the course page with the reason.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import role_required
from accounts.roles import ALL_ROLES, COORDINATOR, PROJECT_TEAM, TRAINER, has_role
from core import downloads
from core.errors import DomainError
from core.requests import HtmxHttpRequest
from core.text import joined
from participants import selectors as participant_selectors
from participants import services as enrolment_services
from participants import visibility
from participants.models import SEATED_STATUSES, Enrolment, EnrolmentStatus, TeachBack
from participants.selectors import CANDIDATES_SHOWN, ENROL_AT_ONCE
from trainings import selectors as training_selectors
from trainings.models import Course, CourseKind

from . import completion, exports, selectors, services
from .api import file_response
from .models import CourseExport

TEAM_ROLES = (PROJECT_TEAM, COORDINATOR)


def _course_for(request: HttpRequest, pk: int) -> tuple[Course, bool]:
    """The course, and whether the user may change its records. Trainers who do not teach it
    get 403, like on the course page."""
    course = get_object_or_404(Course.objects.select_related("programme"), pk=pk)
    editable = has_role(request.user, *TEAM_ROLES)
    if not editable and not (
        has_role(request.user, TRAINER)
        and training_selectors.user_teaches_course(cast(User, request.user), course)
    ):
        raise PermissionDenied
    return course, editable


def _domain_error_message(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, error.message)


# --- Attendance grid ------------------------------------------------------------------------


@role_required(*ALL_ROLES)
def attendance_page(request: HttpRequest, pk: int) -> HttpResponse:
    course, editable = _course_for(request, pk)
    grid = selectors.attendance_grid(course)
    days = grid["days"]
    rows = [
        {**row, "cells": [(day, row["marks"][day.isoformat()]) for day in days]}
        for row in grid["rows"]
    ]
    return render(
        request,
        "delivery/attendance_grid.html",
        {"course": course, "days": days, "rows": rows, "editable": editable},
    )


def _parse_day(raw: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(raw)
    except (TypeError, ValueError) as exc:
        raise DomainError(_("%(value)s is not a date.") % {"value": raw}) from exc
    return day


@role_required(*TEAM_ROLES)
@require_POST
def attendance_mark(request: HttpRequest, pk: int) -> HttpResponse:
    """Set one cell (htmx): ``enrolment``, ``date`` and ``present`` = ``1``/``0``/empty to clear.
    Answers with the cell and, out of band, the trainee's total."""
    course = get_object_or_404(Course, pk=pk)
    raw = request.POST.get("present", "")
    present = {"1": True, "0": False, "": None}.get(raw)
    try:
        enrolment_id = int(request.POST.get("enrolment", ""))
        day = _parse_day(request.POST.get("date", ""))
        if raw not in ("1", "0", ""):
            raise DomainError(_("present must be 1, 0 or empty."))
        services.attendance_grid_save(
            course=course, marks=[services.GridMark(enrolment_id, day, present)], by=request.user
        )
    except (ValueError, DomainError) as exc:
        message = exc.message if isinstance(exc, DomainError) else _("Unknown trainee.")
        return HttpResponseBadRequest(message)
    enrolment = get_object_or_404(Enrolment.objects.select_related("participant"), pk=enrolment_id)
    days_present = enrolment.attendance.filter(
        present=True, date__gte=course.start_date, date__lte=course.end_date
    ).count()
    return render(
        request,
        "delivery/_attendance_cell.html",
        {
            "course": course,
            "row": {"enrolment": enrolment.pk, "name": enrolment.participant.full_name},
            "day": day,
            "mark": present,
            "editable": True,
            "oob_total": days_present,
        },
    )


@role_required(*TEAM_ROLES)
@require_POST
def attendance_mark_day(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark everyone in the course present on one day (then correct the absent ones)."""
    course = get_object_or_404(Course, pk=pk)
    try:
        day = _parse_day(request.POST.get("date", ""))
        count = services.attendance_mark_day(course=course, date=day, by=request.user)
    except DomainError as exc:
        _domain_error_message(request, exc)
    else:
        messages.success(
            request,
            _("%(count)s trainees marked present on %(date)s.")
            % {"count": count, "date": date_format(day)},
        )
    return redirect("course-attendance", pk=course.pk)


# --- Trainees and statuses ------------------------------------------------------------------

# Lazy: built once at import, read in the language of each request.
BULK_STATUSES = [
    (EnrolmentStatus.CONFIRMED, gettext_lazy("Confirm")),
    (EnrolmentStatus.ATTENDED, gettext_lazy("Mark as attended")),
    (EnrolmentStatus.NOMINATED, gettext_lazy("Move off the waiting list")),
    (EnrolmentStatus.WAITLISTED, gettext_lazy("Put on the waiting list")),
    (EnrolmentStatus.WITHDRAWN, gettext_lazy("Withdraw")),
]


@role_required(*ALL_ROLES)
def trainees_page(request: HttpRequest, pk: int) -> HttpResponse:
    course, editable = _course_for(request, pk)
    enrolments = (
        Enrolment.objects.filter(course=course)
        .select_related("participant__organisation", "status_changed_by")
        .prefetch_related("history__changed_by")
        .order_by("participant__last_name", "participant__first_name", "pk")
    )
    seated = [e for e in enrolments if e.status in SEATED_STATUSES]
    waiting = sorted(
        (e for e in enrolments if e.status == EnrolmentStatus.WAITLISTED),
        key=lambda e: (e.created_at, e.pk),
    )
    withdrawn = [e for e in enrolments if e.status == EnrolmentStatus.WITHDRAWN]
    return render(
        request,
        "delivery/course_trainees.html",
        {
            "course": course,
            "editable": editable,
            "is_coordinator": has_role(request.user, COORDINATOR),
            "seated": seated,
            "waiting": waiting,
            "withdrawn": withdrawn,
            "bulk_statuses": BULK_STATUSES,
            # Adding trainees: only roles that enrol see it, and only while the course takes
            # enrolments; otherwise they read why not.
            "enrolment_refusal": course.enrolment_refusal() if editable else None,
        },
    )


def _ids(values: list[str]) -> list[int]:
    """The integer ids among ``values``, in order; anything else is dropped."""
    return [int(value) for value in values if value.isdigit()]


@role_required(*TEAM_ROLES)
@require_GET
def trainees_search(request: HttpRequest, pk: int) -> HttpResponse:
    """The "Add trainees" search (htmx, as the user types): the trainees already ticked, then
    the matches of ``q`` in the registry the user may see, each saying whether already in the
    course; the result count goes to the page's live region."""
    course = get_object_or_404(Course, pk=pk)
    candidates = participant_selectors.enrolment_candidates(
        user=request.user,
        course=course,
        text=request.GET.get("q", ""),
        selected_ids=_ids(request.GET.getlist("participants"))[:ENROL_AT_ONCE],
    )
    return render(
        request,
        "delivery/_enrol_candidates.html",
        {"course": course, "candidates": candidates, "shown": CANDIDATES_SHOWN},
    )


def _names(enrolments: list[Enrolment]) -> str:
    return joined(e.participant.full_name for e in enrolments)


def _enrol_summary(result: enrolment_services.BulkEnrolResult) -> list[tuple[int, str]]:
    """One message per outcome: who took a seat, who went on the waiting list, who was in."""
    lines = []
    if result.seated:
        text = _("Enrolled: %(names)s.") % {"names": _names(result.seated)}
        lines.append((messages.SUCCESS, text))
    if result.waitlisted:
        text = _("The course is full; on the waiting list, in this order: %(names)s.") % {
            "names": _names(result.waitlisted)
        }
        lines.append((messages.WARNING, text))
    if result.existing:
        text = _("Already in the course, unchanged: %(names)s.") % {
            "names": _names(result.existing)
        }
        lines.append((messages.INFO, text))
    return lines


@role_required(*TEAM_ROLES)
@require_POST
def trainees_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Enrol the ticked trainees at once, through the service the API uses (capacity and
    waiting list under the course lock); a refused course or an unknown trainee changes
    nothing and says why."""
    course = get_object_or_404(Course, pk=pk)
    ids = list(dict.fromkeys(_ids(request.POST.getlist("participants"))))
    found = visibility.visible_participants(request.user).in_bulk(ids[:ENROL_AT_ONCE])
    try:
        if not ids:
            raise DomainError(_("Tick at least one trainee to add."))
        if len(ids) > ENROL_AT_ONCE:
            raise DomainError(
                _("At most %(max)s trainees can be added at once; %(count)s are ticked.")
                % {"max": ENROL_AT_ONCE, "count": len(ids)}
            )
        if len(found) != len(ids):
            raise DomainError(_("Some of the ticked trainees no longer exist: search again."))
        result = enrolment_services.enrolments_bulk_create(
            course=course, participants=[found[pk] for pk in ids], by=request.user
        )
    except DomainError as exc:
        _domain_error_message(request, exc)
    else:
        for level, text in _enrol_summary(result):
            messages.add_message(request, level, text)
    return redirect("course-trainees", pk=course.pk)


@role_required(*TEAM_ROLES)
@require_POST
def trainees_bulk_status(request: HttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk)
    try:
        ids = [int(value) for value in request.POST.getlist("enrolments")]
    except ValueError:
        ids = []
    status = request.POST.get("status", "")
    try:
        changed = enrolment_services.enrolments_bulk_set_status(
            course=course,
            enrolment_ids=ids,
            status=status,
            reason=request.POST.get("reason", ""),
            by=request.user,
        )
    except DomainError as exc:
        _domain_error_message(request, exc)
    else:
        messages.success(
            request,
            _("%(count)s trainees now: %(status)s.")
            % {"count": len(changed), "status": EnrolmentStatus(status).label.lower()},
        )
    return redirect("course-trainees", pk=course.pk)


# --- Completion -----------------------------------------------------------------------------


@role_required(*ALL_ROLES)
def completion_page(request: HttpRequest, pk: int) -> HttpResponse:
    course, editable = _course_for(request, pk)
    rows = selectors.completion_rows(course)
    return render(
        request,
        "delivery/completion.html",
        {
            "course": course,
            "rows": rows,
            "editable": editable,
            "is_coordinator": has_role(request.user, COORDINATOR),
            "qualifying": sum(1 for row in rows if row["qualifies"]),
            "required_days": completion.required_days(course),
            "attendance_percent": round(course.min_attendance_share * 100),
            "teachback_pass": completion.teachback_pass_score(),
            "show_teachback": course.requires_teachback or course.kind == CourseKind.TOT,
        },
    )


@role_required(COORDINATOR)
@require_http_methods(["GET", "POST"])
def course_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what closing would do, trainee by trainee, or why the course cannot be closed yet.
    POST (the preview's confirm button, with its token): close."""
    course = get_object_or_404(Course.objects.select_related("programme"), pk=pk)
    token = request.POST.get("token", "")
    if request.method == "GET" or not token:
        preview = selectors.close_preview(course)
        return render(
            request,
            "delivery/close_preview.html",
            {
                "course": course,
                "preview": preview,
                "required_days": completion.required_days(course),
            },
        )
    try:
        result = services.course_close(course=course, by=request.user, token=token)
    except services.CloseRefused:
        return redirect("course-close", pk=course.pk)  # the preview lists the problems
    except DomainError as exc:
        _domain_error_message(request, exc)
        return redirect("course-close", pk=course.pk)
    messages.success(
        request,
        _("Course closed: %(completed)s completed, %(failed)s did not complete.")
        % {"completed": len(result.completed), "failed": len(result.failed)},
    )
    for enrolment, reason in result.blocked:
        messages.warning(
            request,
            _(
                "%(name)s keeps “completed”: they hold a valid certificate, so revoke it "
                "first if the rule applies (%(reason)s)"
            )
            % {"name": enrolment.participant.full_name, "reason": reason},
        )
    return redirect("course-completion", pk=course.pk)


@role_required(COORDINATOR)
@require_http_methods(["GET", "POST"])
def course_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what reopening would restore, with the reason to give. POST: reopen."""
    course = get_object_or_404(Course.objects.select_related("programme"), pk=pk)
    reason = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            result = services.course_reopen(course=course, reason=reason, by=request.user)
        except DomainError as exc:
            _domain_error_message(request, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "Course reopened: %(count)s trainee is back to their status before closing.",
                    "Course reopened: %(count)s trainees are back to their status before closing.",
                    len(result.restored),
                )
                % {"count": len(result.restored)},
            )
            return redirect("course-completion", pk=course.pk)
    return render(
        request,
        "delivery/reopen.html",
        {"course": course, "preview": selectors.reopen_preview(course), "reason": reason},
    )


@role_required(COORDINATOR)
@require_POST
def enrolment_override_view(request: HttpRequest, pk: int, enrolment: int) -> HttpResponse:
    record = get_object_or_404(
        Enrolment.objects.select_related("participant"), pk=enrolment, course=pk
    )
    try:
        services.enrolment_override(
            enrolment=record,
            status=request.POST.get("status", ""),
            reason=request.POST.get("reason", ""),
            by=request.user,
        )
    except DomainError as exc:
        messages.error(request, f"{record.participant.full_name}: {exc.message}")
    else:
        messages.success(
            request,
            _("Decision recorded for %(name)s.") % {"name": record.participant.full_name},
        )
    return redirect(reverse("course-completion", args=[pk]) + f"#enrolment-{record.pk}")


def _score(raw: str, label: str) -> Decimal | None:
    raw = (raw or "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise DomainError(
            _("%(label)s: %(value)s is not a number.") % {"label": label, "value": raw}
        ) from exc
    if not (0 <= value <= 100):
        raise DomainError(_("%(label)s must be between 0 and 100.") % {"label": label})
    return value


@role_required(*TEAM_ROLES)
@require_POST
def enrolment_scores_view(request: HttpRequest, pk: int, enrolment: int) -> HttpResponse:
    record = get_object_or_404(
        Enrolment.objects.select_related("participant"), pk=enrolment, course=pk
    )
    try:
        enrolment_services.enrolment_update(
            enrolment=record,
            by=request.user,
            pre_test_score=_score(request.POST.get("pre_test_score", ""), _("Pre-test")),
            post_test_score=_score(request.POST.get("post_test_score", ""), _("Post-test")),
        )
    except DomainError as exc:
        messages.error(request, f"{record.participant.full_name}: {exc.message}")
    else:
        messages.success(
            request, _("Scores saved for %(name)s.") % {"name": record.participant.full_name}
        )
    return redirect(reverse("course-completion", args=[pk]) + f"#enrolment-{record.pk}")


@role_required(*TEAM_ROLES)
@require_POST
def teachback_save_view(request: HttpRequest, pk: int, enrolment: int) -> HttpResponse:
    """Record or change a trainee's teach-back module: title, score, evaluator, file."""
    record = get_object_or_404(
        Enrolment.objects.select_related("participant"), pk=enrolment, course=pk
    )
    fields: dict[str, Any] = {
        "title": request.POST.get("title", ""),
        "evaluator": request.POST.get("evaluator", ""),
    }
    try:
        fields["score"] = _score(request.POST.get("score", ""), _("Score"))
        services.teachback_save(
            enrolment=record, by=request.user, file=request.FILES.get("file"), **fields
        )
    except DomainError as exc:
        messages.error(request, f"{record.participant.full_name}: {exc.message}")
    else:
        messages.success(
            request,
            _("Teach-back saved for %(name)s.") % {"name": record.participant.full_name},
        )
    return redirect(reverse("course-completion", args=[pk]) + f"#enrolment-{record.pk}")


@role_required(*ALL_ROLES)
def teachback_file(request: HttpRequest, pk: int, teachback: int) -> HttpResponse:
    """The teach-back file, for whoever may read the course's records."""
    course, _editable = _course_for(request, pk)
    record = get_object_or_404(TeachBack, pk=teachback, enrolment__course=course)
    if not record.file:
        raise Http404
    try:
        return downloads.serve(
            record.file,
            filename=record.original_name or f"teachback-{record.pk}",
            content_type=record.content_type,
            record=lambda: None,
        )
    except downloads.MissingFile as exc:
        raise Http404 from exc


# --- The course's files ------------------------------------------------------------------------


def _download(request: HttpRequest, pk: int, export: str) -> HttpResponse:
    course = get_object_or_404(Course.objects.select_related("programme"), pk=pk)
    if not exports.may_export(request.user, course, export):
        raise PermissionDenied
    fmt, day = "", None
    try:
        if export == exports.SIGN_IN_SHEET:
            day = exports.sign_in_day(course, request.GET.get("date"))
        else:
            fmt = exports.export_format(request.GET.get("as"))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("course-detail", pk=course.pk)
    if services.export_is_large(course, export):
        job = services.course_export_request(
            course=course, export=export, fmt=fmt, day=day, by=request.user
        )
        return redirect("course-export-prepared", pk=job.pk)
    file = services.course_file(course=course, export=export, fmt=fmt, day=day, by=request.user)
    return file_response(file)


@role_required(*ALL_ROLES)
@never_cache
def prepared_file(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A large course file a worker builds: "being prepared", then its download link. The
    page polls itself with htmx until the file is ready or failed."""
    job = get_object_or_404(
        CourseExport.objects.select_related("course"), pk=pk, requested_by=request.user.pk
    )
    if not exports.may_export(request.user, job.course, job.export):
        raise PermissionDenied
    partial = request.htmx and not request.htmx.history_restore_request
    template = "delivery/_prepared_file.html" if partial else "delivery/prepared_file.html"
    return render(request, template, {"job": job, "course": job.course})


@role_required(*ALL_ROLES)
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, exports.ROSTER)


@role_required(*ALL_ROLES)
def attendance_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, exports.ATTENDANCE_SHEET)


@role_required(*ALL_ROLES)
def sign_in_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, exports.SIGN_IN_SHEET)
