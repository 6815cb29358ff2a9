"""The form coordinators use on an expert's page to assign them to a course or a session."""

from typing import cast

from django import forms
from django.db.models import Prefetch
from django.utils.formats import date_format, time_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from trainings.models import Course, CourseSession

from .models import AssignmentRole


def _session_label(session: CourseSession) -> str:
    when = date_format(session.date, "DATE_FORMAT")
    if session.start_time:
        when += " " + time_format(session.start_time, "H:i")
        if session.end_time:
            when += "–" + time_format(session.end_time, "H:i")
    title = session.display_title
    return f"{when} · {title}" if title else when


def target_choices() -> list:
    """One group per course (newest first): the whole course, then each of its sessions.
    Values are ``course:<id>`` or ``session:<id>``, so a session can never be paired with the
    wrong course. Two queries."""
    sessions = CourseSession.objects.select_related("module").order_by("date", "start_time")
    courses = Course.objects.order_by("-start_date", "title").prefetch_related(
        Prefetch("sessions", queryset=sessions)
    )
    choices: list = [("", _("Choose a course or a session"))]
    for course in courses:
        options: list[tuple[str, str | Promise]] = [(f"course:{course.pk}", _("Whole course"))]
        options += [(f"session:{s.pk}", _session_label(s)) for s in course.sessions.all()]
        choices.append((f"{course.title} ({course.code})", options))
    return choices


class AssignmentForm(forms.Form):
    target = forms.ChoiceField(label=_("Assign to"))
    role = forms.ChoiceField(label=_("Role"), choices=AssignmentRole.choices)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["target"]).choices = target_choices()

    def clean_target(self) -> dict:
        kind, _sep, pk = self.cleaned_data["target"].partition(":")
        if kind == "session":
            session = CourseSession.objects.select_related("course").filter(pk=pk).first()
            if session is not None:
                return {"course": session.course, "session": session}
        elif kind == "course":
            course = Course.objects.filter(pk=pk).first()
            if course is not None:
                return {"course": course, "session": None}
        raise forms.ValidationError(_("Choose a course or a session from the list."))
