"""Read-only queries about experts: teaching history, upcoming sessions, the list filters, and the
experts of a course for the course page. Which modules a login teaches is
``trainings.selectors.modules_taught_by``."""

import datetime as dt
from dataclasses import dataclass, field
from typing import cast

import django_filters
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from trainings.models import Course, CourseSession, ThematicModule

from .models import AssignmentRole, Expert, ExpertAssignment

# --- Teaching history ----------------------------------------------------------------------


@dataclass
class CourseHistory:
    """One course an expert taught: the whole-course role (if assigned to the whole course), the
    sessions they taught in it (date order) and the modules they taught there."""

    course: Course
    role: str | None = None
    sessions: list[ExpertAssignment] = field(default_factory=list)
    modules: list[ThematicModule] = field(default_factory=list)

    @property
    def role_label(self) -> str | Promise:
        return AssignmentRole(self.role).label if self.role else ""


def expert_history(expert: Expert) -> list[CourseHistory]:
    """Every course ``expert`` is assigned to, newest first (by start date), in two queries.

    Upcoming courses are included: an assignment is the record of who teaches where. The modules
    of an entry are those of the sessions the expert teaches in it; an expert assigned only to
    the whole course is counted as teaching every module of the course.
    """
    assignments = (
        ExpertAssignment.objects.filter(expert=expert)
        .select_related("course", "session__module")
        .prefetch_related("course__modules")
    )
    by_course: dict[int, CourseHistory] = {}
    for assignment in assignments:
        entry = by_course.setdefault(assignment.course_id, CourseHistory(assignment.course))
        if assignment.session_id is None:
            entry.role = assignment.role
        else:
            entry.sessions.append(assignment)
    for entry in by_course.values():
        entry.sessions.sort(key=lambda a: (_session(a).date, _session(a).start_time or dt.time.min))
        sessions = [_session(a) for a in entry.sessions]
        taught = {s.module for s in sessions if s.module is not None}
        modules = taught or set(entry.course.modules.all())
        entry.modules = sorted(modules, key=lambda m: (m.order, m.code))
    return sorted(
        by_course.values(), key=lambda e: (e.course.start_date, e.course.pk), reverse=True
    )


def upcoming_assignments(user, *, today: dt.date | None = None) -> list[ExpertAssignment]:
    """The assignments of the user's Expert that are not over yet (sessions from today on,
    whole courses that end today or later), in date order; empty for a user without one."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    today = today or timezone.localdate()
    assignments = (
        ExpertAssignment.objects.filter(expert__user_id=user.pk)
        .filter(
            Q(session__isnull=False, session__date__gte=today)
            | Q(session__isnull=True, course__end_date__gte=today)
        )
        .select_related("course", "session__module")
    )
    return sorted(assignments, key=_assignment_start)


def _session(assignment: ExpertAssignment) -> CourseSession:
    """The session of an assignment to one session (its ``session_id`` is set)."""
    assert assignment.session is not None
    return assignment.session


def _assignment_start(assignment: ExpertAssignment) -> tuple:
    if assignment.session_id:
        session = _session(assignment)
        return (session.date, session.start_time or dt.time.min, 1)
    return (assignment.course.start_date, dt.time.min, 0)


# --- The expert list page --------------------------------------------------------------------


def language_name(code: str) -> str:
    """The name of a language code in the reader's language (the code itself if unknown)."""
    try:
        return str(translation.get_language_info(code)["name_translated"])
    except KeyError:
        return code


def language_names(codes: list[str]) -> list[str]:
    return [language_name(code) for code in codes or () if isinstance(code, str)]


def _language_choices() -> list[tuple[str, str]]:
    """The languages the recorded experts speak, named in the reader's language."""
    codes: set[str] = set()
    for languages in Expert.objects.values_list("languages", flat=True):
        codes.update(code for code in languages or () if isinstance(code, str))
    choices = [(code, f"{language_name(code)} ({code})") for code in codes]
    return sorted(choices, key=lambda choice: choice[1].casefold())


def _country_choices() -> list[tuple[str, str]]:
    # values_list gives the stored codes, not the Country the model field reads as.
    codes = cast(
        "QuerySet[Expert, str]",
        Expert.objects.order_by().values_list("country", flat=True).distinct(),
    )
    return sorted(
        ((code, str(countries.name(code))) for code in codes if code),
        key=lambda choice: choice[1].casefold(),
    )


class ExpertListFilter(django_filters.FilterSet):
    """The filters of the expert list page, read from the query string."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    country = django_filters.ChoiceFilter(choices=_country_choices, empty_label=_("Any country"))
    module = django_filters.ModelChoiceFilter(
        field_name="modules",
        queryset=ThematicModule.objects.all(),
        empty_label=_("Any module"),
        label=_("Module of expertise"),
    )
    language = django_filters.ChoiceFilter(
        choices=_language_choices,
        method="speaks",
        empty_label=_("Any language"),
        label=_("Language"),
    )

    class Meta:
        model = Expert
        fields = ["q", "country", "module", "language"]

    def search(self, queryset: QuerySet[Expert], name: str, value: str) -> QuerySet[Expert]:
        for word in value.split():
            queryset = queryset.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(organisation__icontains=word)
            )
        return queryset

    def speaks(self, queryset: QuerySet[Expert], name: str, value: str) -> QuerySet[Expert]:
        return experts_speaking(queryset, value)


def experts_speaking(queryset: QuerySet[Expert], code: str) -> QuerySet[Expert]:
    """The experts of ``queryset`` who speak the language ``code``."""
    # JSON ``contains`` is not available on SQLite; the quoted code matches one whole list item
    # of the stored JSON text (``"de"`` never matches ``"den"``). Codes are letters only.
    if not code.isalpha():
        return queryset.none()
    return queryset.filter(languages__icontains=f'"{code.lower()}"')


def expert_list_filter(params) -> ExpertListFilter:
    queryset = Expert.objects.prefetch_related("modules").order_by("last_name", "first_name", "pk")
    return ExpertListFilter(params or None, queryset=queryset)


# --- The experts of a course -----------------------------------------------------------------


def with_course_experts(courses: QuerySet[Course]) -> QuerySet[Course]:
    """``courses`` with their expert assignments prefetched, whole-course and per session, for
    ``course_experts`` and the session list. The sessions must be prefetched already (as
    ``trainings.selectors.course_detail_queryset`` does)."""
    by_name = ExpertAssignment.objects.select_related("expert").order_by(
        "expert__last_name", "expert__first_name"
    )
    with_session = ExpertAssignment.objects.select_related("expert", "session").order_by(
        "expert__last_name", "expert__first_name", "session__date"
    )
    return courses.prefetch_related(
        Prefetch("sessions__expert_assignments", queryset=by_name),
        Prefetch("expert_assignments", queryset=with_session),
    )


@dataclass
class CourseExpert:
    """One expert of a course with the roles they hold and how many sessions they teach."""

    expert: Expert
    roles: list[str] = field(default_factory=list)
    sessions: int = 0
    whole_course: bool = False


def course_experts(course: Course) -> list[CourseExpert]:
    """The experts of a course fetched by ``with_course_experts`` (no further queries)."""
    by_expert: dict[int, CourseExpert] = {}
    for assignment in course.expert_assignments.all():
        entry = by_expert.setdefault(assignment.expert_id, CourseExpert(expert=assignment.expert))
        role = assignment.get_role_display()
        if role not in entry.roles:
            entry.roles.append(role)
        if assignment.session_id:
            entry.sessions += 1
        else:
            entry.whole_course = True
    return list(by_expert.values())
