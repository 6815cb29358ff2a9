"""Course pages: the filtered list (updated in place with htmx) and the detail page.

Every role may read courses. The trainee table of a course shows personal data and scores, so it
is shown to the project team, coordinators and the trainers who teach that course.
"""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers

from accounts.roles import ALL_ROLES, COORDINATOR, PROJECT_TEAM, TRAINER, has_role
from accounts.views import role_required
from certificates import selectors as certificate_selectors
from certificates.labels import LANGUAGE_CHOICES
from participants import selectors as participant_selectors
from trainings import selectors

COURSES_PER_PAGE = 25


@role_required(*ALL_ROLES)
def course_list(request: HttpRequest) -> HttpResponse:
    filterset = selectors.course_list_filter(request.GET)
    page = Paginator(filterset.qs, COURSES_PER_PAGE).get_page(request.GET.get("page"))
    context = {"filter": filterset, "page": page}
    # htmx asks for the results only; a history restore needs the whole page again.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "trainings/_course_results.html" if partial else "trainings/course_list.html"
    response = render(request, template, context)
    # The same URL answers with a fragment or a page: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@role_required(*ALL_ROLES)
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(selectors.course_detail_queryset(), pk=pk)
    show_trainees = has_role(request.user, PROJECT_TEAM, COORDINATOR) or (
        has_role(request.user, TRAINER) and selectors.user_teaches_course(request.user, course)
    )
    enrolments = participant_selectors.course_enrolments(course) if show_trainees else ()
    certificates = None
    if has_role(request.user, PROJECT_TEAM, COORDINATOR):
        certificates = certificate_selectors.course_certificate_summary(course)
        enrolments = list(enrolments)
        for enrolment in enrolments:
            enrolment.live_certificate = certificates["by_enrolment"].get(enrolment.pk)
    context = {
        "course": course,
        "languages": selectors.language_labels(course.languages),
        "experts": selectors.course_experts(course),
        "attendance_percent": round(course.min_attendance_share * 100),
        "show_trainees": show_trainees,
        "enrolments": enrolments,
        "certificates": certificates,
        "certificate_languages": LANGUAGE_CHOICES,
    }
    return render(request, "trainings/course_detail.html", context)
