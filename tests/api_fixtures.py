"""A small, complete world for the API tests: one of everything, linked the way real data is.

Imported by the API test modules (``build_world()`` and the autouse fixtures below); kept out of
``conftest.py`` because only the API tests need it.
"""

from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile

from delivery.models import CourseExport, ExportStatus
from participants.models import TeachBack
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
    ManualBundleFactory,
    ManualFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProgrammeFactory,
    ThematicModuleFactory,
    UserFactory,
)
from trainings.models import ManualDownload


def build_world() -> SimpleNamespace:
    programme = ProgrammeFactory(name="Silk Routes Partnership", acronym="SRP")
    module = ThematicModuleFactory(code="legal-migration", title_en="Legal migration")
    course = CourseFactory(programme=programme, code="ERB", title="ToT Erbil")
    course.modules.add(module)
    session = CourseSessionFactory(course=course, module=module)
    organisation = OrganisationFactory(
        name="Ministry of Migration and Displacement", acronym="MoMD"
    )
    participant = ParticipantFactory(
        organisation=organisation, first_name="Layla", email="layla@example.org"
    )
    enrolment = EnrolmentFactory(participant=participant, course=course, status="confirmed")
    attendance = AttendanceFactory(enrolment=enrolment)
    expert = ExpertFactory()
    expert.modules.add(module)
    assignment = ExpertAssignmentFactory(expert=expert, course=course)
    manual = ManualFactory(module=module)
    certificate = CertificateFactory(enrolment=enrolment, verification_code="0000-0000-0000-0001-1")
    certificate.pdf.save("certificate.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    batch = CertificateBatchFactory(course=course, status="done", total=1, done=1)
    batch.zip_file.save("batch.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=False)
    batch.merged_pdf.save("batch.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    batch.save()
    attachment = ManualAttachmentFactory(manual=manual)
    download = ManualDownload.objects.create(manual=manual)
    bundle = ManualBundleFactory(course=course, status="done")
    bundle.file.save("bundle.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18))
    # The teach-back belongs to a second trainee: the world's enrolment may still record one.
    teachback = TeachBack.objects.create(
        enrolment=EnrolmentFactory(course=course, status="attended"),
        title="Interviewing returnees",
        score=75,
    )
    teachback.file.save("teachback.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    # A large roster a worker built for someone else: every actor's fetch of it answers 404.
    course_export = CourseExport.objects.create(
        course=course,
        export="roster",
        fmt="csv",
        requested_by=UserFactory(),
        status=ExportStatus.DONE,
        filename="ERB-roster.csv",
        content_type="text/csv",
    )
    course_export.file.save("ERB-roster.csv", ContentFile(b"\xef\xbb\xbfName\r\n"))
    return SimpleNamespace(
        course_export=course_export,
        attachment=attachment,
        download=download,
        bundle=bundle,
        teachback=teachback,
        programme=programme,
        module=module,
        course=course,
        session=session,
        organisation=organisation,
        participant=participant,
        enrolment=enrolment,
        attendance=attendance,
        expert=expert,
        assignment=assignment,
        manual=manual,
        certificate=certificate,
        batch=batch,
    )


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """The named actors get hashed passwords; a cheap hasher keeps hundreds of tests fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Rate-limit counters live in the cache, shared by the whole test process: start each test
    with none, so the token endpoint's limit never leaks from one test into another."""
    cache.clear()
    yield
    cache.clear()
