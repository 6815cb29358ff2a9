"""The course querysets of the pages here, composed from each app's own part: the catalogue
(``trainings``), trainee counts (``participants``) and experts (``experts``)."""

from django.db.models import QuerySet

from experts import selectors as expert_selectors
from participants import selectors as participant_selectors
from trainings import selectors as training_selectors
from trainings.models import Course


def course_list_filter(params) -> training_selectors.CourseListFilter:
    """The filtered course list; ``.qs`` carries ``trainee_count`` on every course."""
    courses = participant_selectors.with_trainee_count(Course.objects.all())
    return training_selectors.course_list_filter(params, courses)


def course_page_queryset() -> QuerySet[Course]:
    """Courses with everything the course page shows, except the trainees (see
    ``participants.selectors.course_enrolments``), which not every reader may see."""
    courses = training_selectors.course_detail_queryset()
    return expert_selectors.with_course_experts(participant_selectors.with_trainee_count(courses))
