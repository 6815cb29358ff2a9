"""The course page's file downloads: roster, attendance sheet and daily sign-in sheet.

Same files and same rules as the API (``participants.exports``): anonymous visitors go to the
login page, a user without the right role (or a trainer of another course) gets 403. A bad
format or date sends the user back to the course page with the reason.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from accounts.decorators import role_required
from accounts.roles import ALL_ROLES
from core.errors import DomainError
from trainings.models import Course

from . import exports
from .export_api import file_response


def _download(request: HttpRequest, pk: int, export: str) -> HttpResponse:
    course = get_object_or_404(Course.objects.select_related("programme"), pk=pk)
    if not exports.may_export(request.user, course, export):
        raise PermissionDenied
    try:
        if export == exports.SIGN_IN_SHEET:
            day = exports.sign_in_day(course, request.GET.get("date"))
            file = exports.build(course, export, day=day)
        else:
            file = exports.build(course, export, fmt=exports.export_format(request.GET.get("as")))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("course-detail", pk=course.pk)
    return file_response(file)


@role_required(*ALL_ROLES)
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, exports.ROSTER)


@role_required(*ALL_ROLES)
def attendance_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, exports.ATTENDANCE_SHEET)


@role_required(*ALL_ROLES)
def sign_in_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, exports.SIGN_IN_SHEET)
