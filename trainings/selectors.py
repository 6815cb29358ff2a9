"""Read queries behind the course pages and the dashboards.

Each function fetches everything its page shows in a fixed number of queries, whatever the
number of rows (prefetches and annotations, never a query per row). Nothing here writes.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import cast

import django_filters
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.actor import Actor
from trainings.languages import Language
from trainings.models import (
    Course,
    CourseKind,
    CourseSession,
    CourseStatus,
    Manual,
    Programme,
    ThematicModule,
)


class CourseListFilter(django_filters.FilterSet):
    """The filters of the course list page, read from the query string."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=CourseStatus.choices, empty_label=_("Any status"))
    kind = django_filters.ChoiceFilter(choices=CourseKind.choices, empty_label=_("Any kind"))
    programme = django_filters.ModelChoiceFilter(
        queryset=Programme.objects.all(), empty_label=_("Any programme")
    )

    class Meta:
        model = Course
        fields = ["q", "status", "kind", "programme"]

    def search(self, queryset: QuerySet[Course], name: str, value: str) -> QuerySet[Course]:
        words = value.split()
        for word in words:
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(title_ru__icontains=word)
                | Q(title_ar__icontains=word)
                | Q(code__icontains=word)
                | Q(city__icontains=word)
                | Q(venue__icontains=word)
                | Q(programme__name__icontains=word)
                | Q(programme__acronym__iexact=word)
            )
        return queryset


def course_list_filter(params, queryset: QuerySet[Course]) -> CourseListFilter:
    """The course list page's filters applied to ``queryset`` (which carries what the page
    shows beyond the course, e.g. trainee counts; see ``portal.selectors``)."""
    # Explicit ordering: Meta.ordering is not applied to aggregated (GROUP BY) queries.
    queryset = queryset.select_related("programme").order_by("-start_date", "title", "pk")
    return CourseListFilter(params or None, queryset=queryset)


def course_detail_queryset() -> QuerySet[Course]:
    """Courses with their programme, parent, cascades, modules and sessions (with the
    sessions' trainers). The course page adds the experts and counts of the apps above."""
    sessions = CourseSession.objects.select_related("module").prefetch_related("trainers")
    return Course.objects.select_related("programme", "parent").prefetch_related(
        Prefetch("cascades", queryset=Course.objects.order_by("start_date", "title")),
        "modules",
        Prefetch("sessions", queryset=sessions),
    )


def language_labels(codes: list[str]) -> list[str | Promise]:
    return [Language(code).label for code in codes or [] if code in Language.values]


def courses_taught_by(user: User) -> QuerySet[Course]:
    """Courses a user teaches: as a visiting expert linked to the login (whole course or one
    session), or as a certified trainer of a cascade session.

    Trainees have no login of their own, so a trainer is recognised by the e-mail address of the
    login matching the trainee record; logins are created by administrators, so the address is
    trusted. An empty address never matches.
    """
    condition = Q(expert_assignments__expert__user=user)
    if user.email:
        condition |= Q(sessions__trainers__email__iexact=user.email)
    ids = Course.objects.filter(condition).values("pk")
    return Course.objects.filter(pk__in=ids).select_related("programme")


def user_teaches_course(user: User, course: Course) -> bool:
    return courses_taught_by(user).filter(pk=course.pk).exists()


def is_expert(user: Actor) -> bool:
    """True for a login linked to a visiting expert's record."""
    if user is None or not user.is_authenticated:
        return False
    return get_user_model().objects.filter(pk=user.pk, expert__isnull=False).exists()


def modules_taught_by(user: Actor) -> QuerySet[ThematicModule]:
    """The thematic modules a user teaches as an expert: the modules of the sessions their
    expert record is assigned to, the modules of the courses it is assigned to as a whole, and
    its modules of expertise. Anonymous users and logins without an expert record get none.

    Lazy, one query when evaluated, built from ``pk__in`` subqueries: rows are never duplicated
    and callers may annotate or filter freely (the library's "My modules" filter does).
    """
    if user is None or not user.is_authenticated:
        return ThematicModule.objects.none()
    user = cast(User, user)  # signed in, so the AUTH_USER_MODEL (django.contrib.auth's User)
    whole_courses = Course.objects.filter(
        expert_assignments__expert__user=user, expert_assignments__session__isnull=True
    )
    sessions = CourseSession.objects.filter(
        expert_assignments__expert__user=user, module__isnull=False
    )
    return ThematicModule.objects.filter(
        Q(pk__in=ThematicModule.objects.filter(experts__user=user).values("pk"))
        | Q(pk__in=sessions.values("module_id"))
        | Q(pk__in=ThematicModule.objects.filter(courses__in=whole_courses).values("pk"))
    )


@dataclass
class ModuleManuals:
    """A module with the current manual per language and the older versions."""

    module: ThematicModule
    current: list[Manual] = field(default_factory=list)
    older: list[Manual] = field(default_factory=list)


def trainer_modules(user: User) -> list[ModuleManuals]:
    """The modules a trainer teaches or is an expert in, each with its manuals."""
    taught = courses_taught_by(user).values("pk")
    condition = Q(courses__in=taught) | Q(sessions__course__in=taught) | Q(experts__user=user)
    ids = ThematicModule.objects.filter(condition).values("pk")
    manuals = Manual.objects.filter(withdrawn_at__isnull=True).order_by("language", "-version")
    modules = ThematicModule.objects.filter(pk__in=ids).prefetch_related(
        Prefetch("manuals", queryset=manuals)
    )
    result = []
    for module in modules:
        entry = ModuleManuals(module=module)
        seen: set[str] = set()
        for manual in module.manuals.all():
            # Ordered newest first within a language: the first one seen is the current one.
            (entry.older if manual.language in seen else entry.current).append(manual)
            seen.add(manual.language)
        result.append(entry)
    return result


def course_status_counts() -> list[tuple[str, str | Promise, int]]:
    """(status, label, number of courses) for every status, zeros included, in workflow order."""
    counts: dict[str, int] = defaultdict(int)
    for row in Course.objects.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    return [(value, label, counts[value]) for value, label in CourseStatus.choices]
