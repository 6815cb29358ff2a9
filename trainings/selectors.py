"""Read queries behind the course pages and the dashboards.

Each function fetches everything its page shows in a fixed number of queries, whatever the
number of rows (prefetches and annotations, never a query per row). Nothing here writes.
"""

from collections import defaultdict
from dataclasses import dataclass, field

import django_filters
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from certificates.models import CertificateStatus
from experts.models import Expert, ExpertAssignment
from participants.models import EnrolmentStatus
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

# Withdrawn trainees stay on record but no longer count towards a course's numbers.
_ACTIVE_ENROLMENT = ~Q(enrolments__status=EnrolmentStatus.WITHDRAWN)


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


def course_list_filter(params) -> CourseListFilter:
    """The filtered course list; ``.qs`` carries ``trainee_count`` on every course."""
    # Explicit ordering: Meta.ordering is not applied to aggregated (GROUP BY) queries.
    queryset = (
        Course.objects.select_related("programme")
        .annotate(trainee_count=Count("enrolments", filter=_ACTIVE_ENROLMENT))
        .order_by("-start_date", "title", "pk")
    )
    return CourseListFilter(params or None, queryset=queryset)


def course_detail_queryset() -> QuerySet[Course]:
    """Courses with everything the detail page shows, except the trainees (see
    ``participants.selectors.course_enrolments``), which not every reader may see."""
    sessions = CourseSession.objects.select_related("module").prefetch_related(
        "trainers",
        Prefetch(
            "expert_assignments",
            queryset=ExpertAssignment.objects.select_related("expert").order_by(
                "expert__last_name", "expert__first_name"
            ),
        ),
    )
    assignments = ExpertAssignment.objects.select_related("expert", "session").order_by(
        "expert__last_name", "expert__first_name", "session__date"
    )
    return (
        Course.objects.select_related("programme", "parent")
        .annotate(trainee_count=Count("enrolments", filter=_ACTIVE_ENROLMENT))
        .prefetch_related(
            Prefetch("cascades", queryset=Course.objects.order_by("start_date", "title")),
            "modules",
            Prefetch("sessions", queryset=sessions),
            Prefetch("expert_assignments", queryset=assignments),
        )
    )


@dataclass
class CourseExpert:
    """One expert of a course with the roles they hold and how many sessions they teach."""

    expert: Expert
    roles: list[str] = field(default_factory=list)
    sessions: int = 0
    whole_course: bool = False


def course_experts(course: Course) -> list[CourseExpert]:
    """The experts of a course fetched by ``course_detail_queryset`` (no further queries)."""
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


def language_labels(codes: list[str]) -> list[str]:
    return [Language(code).label for code in codes or [] if code in Language.values]


def courses_taught_by(user: AbstractBaseUser) -> QuerySet[Course]:
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


def user_teaches_course(user: AbstractBaseUser, course: Course) -> bool:
    return courses_taught_by(user).filter(pk=course.pk).exists()


@dataclass
class ModuleManuals:
    """A module with the current manual per language and the older versions."""

    module: ThematicModule
    current: list[Manual] = field(default_factory=list)
    older: list[Manual] = field(default_factory=list)


def trainer_modules(user: AbstractBaseUser) -> list[ModuleManuals]:
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


def courses_in_preparation() -> QuerySet[Course]:
    """Open and running courses with their nominated and confirmed trainee counts."""
    return (
        Course.objects.filter(status__in=[CourseStatus.OPEN, CourseStatus.RUNNING])
        .select_related("programme")
        .annotate(
            nominated=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.NOMINATED)),
            confirmed=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.CONFIRMED)),
        )
        .order_by("start_date", "title")
    )


def course_status_counts() -> list[tuple[str, str, int]]:
    """(status, label, number of courses) for every status, zeros included, in workflow order."""
    counts: dict[str, int] = defaultdict(int)
    for row in Course.objects.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    return [(value, label, counts[value]) for value, label in CourseStatus.choices]


def completed_courses(limit: int = 10) -> QuerySet[Course]:
    """The latest completed courses with their completed trainees and valid certificates."""
    return (
        Course.objects.filter(status=CourseStatus.COMPLETED)
        .select_related("programme")
        .annotate(
            completed_count=Count(
                "enrolments",
                filter=Q(enrolments__status=EnrolmentStatus.COMPLETED),
                distinct=True,
            ),
            certificate_count=Count(
                "enrolments__certificates",
                filter=Q(enrolments__certificates__status=CertificateStatus.VALID),
                distinct=True,
            ),
        )
        .order_by("-end_date", "title")[:limit]
    )
