"""The dashboards (one per role) and the course pages: each shows the work of several apps.

Views only pick what to show; reads live in each app's ``selectors``. Every role may read
courses. The trainee table of a course shows personal data and scores, so it is shown to the
project team, coordinators and the trainers who teach that course; a user with no role at all
sees a polite page on the dashboard instead of an error.
"""

from collections.abc import Iterable
from typing import cast

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers

from accounts.decorators import role_required
from accounts.roles import ALL_ROLES, COORDINATOR, PROJECT_TEAM, TRAINER, has_role, role_names
from certificates import selectors as certificate_selectors
from certificates.labels import LANGUAGE_CHOICES
from core.requests import HtmxHttpRequest
from experts import selectors as expert_selectors
from participants import selectors as participant_selectors
from participants.models import Enrolment
from trainings import selectors as training_selectors

from . import selectors

COURSES_PER_PAGE = 25

# The dashboard a user with several roles sees first; superusers hold every role and so land
# on the coordinator's overview.
DASHBOARD_ORDER = (COORDINATOR, PROJECT_TEAM, TRAINER)
DASHBOARD_SLUGS = {COORDINATOR: "coordinator", PROJECT_TEAM: "project-team", TRAINER: "trainer"}


# --- Dashboards -------------------------------------------------------------------------------


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    names = role_names(request.user)
    roles = [role for role in DASHBOARD_ORDER if role in names]
    if not roles:
        return render(request, "portal/no_role.html")
    chosen = next(
        (role for role in roles if DASHBOARD_SLUGS[role] == request.GET.get("as")), roles[0]
    )
    tabs = [(DASHBOARD_SLUGS[role], role == chosen) for role in roles] if len(roles) > 1 else []
    context = {"dashboard_tabs": tabs, **DASHBOARD_CONTEXTS[chosen](request)}
    template = f"portal/dashboard_{chosen.replace(' ', '_')}.html"
    return render(request, template, context)


def _project_team_context(request: HttpRequest) -> dict:
    return {
        "courses": participant_selectors.courses_in_preparation(),
        "recent_participants": participant_selectors.recent_participants(),
    }


def _trainer_context(request: HttpRequest) -> dict:
    user = cast(User, request.user)  # a dashboard: signed in (role_required)
    return {
        "courses": training_selectors.courses_taught_by(user).order_by("-start_date"),
        "modules": training_selectors.trainer_modules(user),
        "expert_sessions": expert_selectors.upcoming_assignments(request.user),
    }


def _coordinator_context(request: HttpRequest) -> dict:
    return {
        "status_counts": training_selectors.course_status_counts(),
        "completed_courses": certificate_selectors.completed_courses(),
        "batches": certificate_selectors.recent_batches(),
    }


DASHBOARD_CONTEXTS = {
    PROJECT_TEAM: _project_team_context,
    TRAINER: _trainer_context,
    COORDINATOR: _coordinator_context,
}


# --- Courses ----------------------------------------------------------------------------------


@role_required(*ALL_ROLES)
def course_list(request: HtmxHttpRequest) -> HttpResponse:
    filterset = selectors.course_list_filter(request.GET)
    page = Paginator(filterset.qs, COURSES_PER_PAGE).get_page(request.GET.get("page"))
    context = {"filter": filterset, "page": page}
    # htmx asks for the results only; a history restore needs the whole page again.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "portal/_course_results.html" if partial else "portal/course_list.html"
    response = render(request, template, context)
    # The same URL answers with a fragment or a page: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@role_required(*ALL_ROLES)
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(selectors.course_page_queryset(), pk=pk)
    show_trainees = has_role(request.user, PROJECT_TEAM, COORDINATOR) or (
        has_role(request.user, TRAINER)
        and training_selectors.user_teaches_course(cast(User, request.user), course)
    )
    enrolments: Iterable[Enrolment] = (
        participant_selectors.course_enrolments(course) if show_trainees else ()
    )
    certificates = None
    if has_role(request.user, PROJECT_TEAM, COORDINATOR):
        certificates = certificate_selectors.course_certificate_summary(course)
        enrolments = list(enrolments)
        for enrolment in enrolments:
            enrolment.live_certificate = certificates["by_enrolment"].get(enrolment.pk)  # type: ignore[attr-defined]  # for the template
    context = {
        "course": course,
        "languages": training_selectors.language_labels(course.languages),
        "experts": expert_selectors.course_experts(course),
        "attendance_percent": round(course.min_attendance_share * 100),
        "show_trainees": show_trainees,
        "enrolments": enrolments,
        "certificates": certificates,
        "certificate_languages": LANGUAGE_CHOICES,
    }
    return render(request, "portal/course_detail.html", context)
