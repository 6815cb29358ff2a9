"""Every list endpoint runs the same number of queries for 3 rows as for 30.

Each row is built with the relations the serializer shows (modules of a course, trainers of a
session, expert modules, enrolments counted per course...), so a missing prefetch or a count
done per row shows up as a difference.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api_fixtures import fast_passwords  # noqa: F401  (fixture)
from tests.factories import (
    AttendanceFactory,
    CertificateBatchFactory,
    CertificateFactory,
    CourseFactory,
    CourseSessionFactory,
    EnrolmentFactory,
    ExpertAssignmentFactory,
    ExpertFactory,
    ManualAttachmentFactory,
    ManualFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProgrammeFactory,
    ThematicModuleFactory,
    UserFactory,
)
from trainings.models import ManualDownload


def _programmes(n):
    for _ in range(n):
        CourseFactory(programme=ProgrammeFactory(partner_countries=["AF", "IQ"]))


def _modules(n):
    ThematicModuleFactory.create_batch(n)


def _manuals(n):
    module = ThematicModuleFactory()
    for version in range(1, n + 1):
        ManualAttachmentFactory(manual=ManualFactory(module=module, version=version))


def _manual_attachments(n):
    ManualAttachmentFactory.create_batch(n)


def _manual_downloads(n):
    for _ in range(n):
        attachment = ManualAttachmentFactory()
        ManualDownload.objects.create(
            manual=attachment.manual, attachment=attachment, user=UserFactory()
        )


def _courses(n):
    modules = ThematicModuleFactory.create_batch(2)
    for _ in range(n):
        course = CourseFactory()
        course.modules.set(modules)
        EnrolmentFactory.create_batch(2, course=course)


def _sessions(n):
    course = CourseFactory()
    trainers = ParticipantFactory.create_batch(2)
    for _ in range(n):
        CourseSessionFactory(course=course).trainers.set(trainers)


def _organisations(n):
    parent = OrganisationFactory(name="Kurdistan Regional Government")
    for _ in range(n):
        ParticipantFactory(organisation=OrganisationFactory(parent=parent))


def _participants(n):
    ParticipantFactory.create_batch(n)


def _enrolments(n):
    EnrolmentFactory.create_batch(n)


def _attendance(n):
    enrolment = EnrolmentFactory()
    start = enrolment.course.start_date
    for day in range(n):
        AttendanceFactory(enrolment=enrolment, date=start + dt.timedelta(days=day))


def _experts(n):
    modules = ThematicModuleFactory.create_batch(2)
    for _ in range(n):
        ExpertFactory().modules.set(modules)


def _assignments(n):
    # Each expert teaches two overlapping sessions, so every row carries a warning.
    for _ in range(n // 2):
        expert = ExpertFactory()
        for course in CourseFactory.create_batch(2):
            session = CourseSessionFactory(course=course)
            ExpertAssignmentFactory(expert=expert, course=course, session=session)
    ExpertAssignmentFactory.create_batch(n % 2)


def _teachbacks(n):
    from participants.models import TeachBack

    for enrolment in EnrolmentFactory.create_batch(n):
        TeachBack.objects.create(enrolment=enrolment, title="Return interviews", score=70)


def _certificates(n):
    CertificateFactory.create_batch(n)


def _batches(n):
    course = CourseFactory()
    CertificateBatchFactory.create_batch(n, course=course)


def _course_exports(n):
    from django.contrib.auth.models import User

    from delivery.models import CourseExport

    root, course = User.objects.get(username="root"), CourseFactory()
    for _ in range(n):
        CourseExport.objects.create(course=course, export="roster", fmt="csv", requested_by=root)


LISTS = {
    "programmes": _programmes,
    "modules": _modules,
    "manuals": _manuals,
    "manual-attachments": _manual_attachments,
    "manual-downloads": _manual_downloads,
    "courses": _courses,
    "sessions": _sessions,
    "organisations": _organisations,
    "participants": _participants,
    "enrolments": _enrolments,
    "attendance": _attendance,
    "experts": _experts,
    "expert-assignments": _assignments,
    "teachbacks": _teachbacks,
    "certificates": _certificates,
    "certificate-batches": _batches,
    "course-exports": _course_exports,
}


def _count_queries(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(queries), len(response.data["results"])


@pytest.mark.parametrize("resource", LISTS)
def test_the_list_query_count_does_not_grow_with_the_page(resource, api_as, root):
    client = api_as(root)
    url = f"/api/v1/{resource}/?page_size=200"
    LISTS[resource](3)
    few, rows_few = _count_queries(client, url)
    LISTS[resource](27)
    many, rows_many = _count_queries(client, url)
    assert rows_many >= rows_few + 27
    assert many == few, f"{resource}: {few} queries for {rows_few} rows, {many} for {rows_many}"


def _course_with_trainees(course, n):
    from participants.models import TeachBack

    for enrolment in EnrolmentFactory.create_batch(n, course=course, post_test_score=70):
        TeachBack.objects.create(enrolment=enrolment, title="Return interviews", score=70)
        for day in range(3):
            AttendanceFactory(enrolment=enrolment, date=course.start_date + dt.timedelta(days=day))


@pytest.mark.parametrize("view", ["completion", "attendance-grid", "close"])
def test_course_tables_query_count_does_not_grow_with_the_course(view, api_as, root):
    """The per-course tables are not paginated (a course has tens of trainees), so they must
    stay flat by construction."""
    client = api_as(root)
    course = CourseFactory(requires_teachback=True)
    url = f"/api/v1/courses/{course.pk}/{view}/"
    _course_with_trainees(course, 3)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(url).data) >= 1
    _course_with_trainees(course, 27)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    rows = {
        "completion": lambda data: data,
        "attendance-grid": lambda data: data["rows"],
        "close": lambda data: data["trainees"],  # the closing preview
    }[view](response.data)
    assert len(rows) == 30
    assert len(many) == len(few), f"{view}: {len(few)} queries for 3, {len(many)} for 30"
