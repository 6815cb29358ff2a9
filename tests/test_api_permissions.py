"""Who may do what through the API: every endpoint × every actor, with the exact status.

alice is on the project team, bob is a trainer (the expert assigned to the world's course), carol is
a coordinator, dave has no role, root is a superuser; ``anon`` sends no credentials and must get
401 (never a redirect, never 403). What a trainer sees of a course they do not teach is
``tests/test_trainer_scope.py``.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api_fixtures import build_world, fast_passwords, fresh_throttles  # noqa: F401
from tests.factories import (
    AttendanceFactory,
    CertificateFactory,
    CourseFactory,
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

ACTORS = ["anon", "dave", "alice", "bob", "carol", "root"]

# Which actors may perform an operation of each kind.
ANY_ROLE = {"alice", "bob", "carol", "root"}
COORDINATORS = {"carol", "root"}
TEAM = {"alice", "carol", "root"}  # project team and coordinators
ADMINISTRATORS = {"root"}
EVERYONE = set(ACTORS)


@dataclass
class Case:
    name: str
    allowed: set[str]
    success: int
    build: Any  # world -> (method, url, data, format)
    # Actors who pass the role check but answer otherwise (another person's file: 404).
    others: dict[str, int] = field(default_factory=dict)


def _get(url):
    return lambda w: ("get", url(w), None, None)


def _json(method, url, data):
    return lambda w: (method, url(w), data(w), "json")


def _delete(url):
    return lambda w: ("delete", url(w), None, None)


def _prepared_file(w):
    """The world's attendance sheet as a worker built it for bob, who teaches the course."""
    from django.contrib.auth.models import User
    from django.core.files.base import ContentFile

    from delivery.models import CourseExport, ExportStatus

    job = CourseExport.objects.create(
        course=w.course,
        export="attendance-sheet",
        fmt="csv",
        requested_by=User.objects.get(username="bob"),
        status=ExportStatus.DONE,
        filename="ERB-attendance.csv",
        content_type="text/csv",
    )
    job.file.save("ERB-attendance.csv", ContentFile(b"\xef\xbb\xbfName\r\n"))
    return job


def crud(resource, obj, allowed_read, allowed_write, create, update, fresh, allowed_delete=None):
    """The five standard operations of one resource."""
    allowed_delete = allowed_write if allowed_delete is None else allowed_delete
    base = f"/api/v1/{resource}/"
    return [
        Case(f"{resource}-list", allowed_read, 200, _get(lambda w: base)),
        Case(f"{resource}-detail", allowed_read, 200, _get(lambda w: f"{base}{obj(w).pk}/")),
        Case(f"{resource}-create", allowed_write, 201, _json("post", lambda w: base, create)),
        Case(
            f"{resource}-update",
            allowed_write,
            200,
            _json("patch", lambda w: f"{base}{obj(w).pk}/", update),
        ),
        Case(f"{resource}-delete", allowed_delete, 204, _delete(lambda w: f"{base}{fresh(w).pk}/")),
    ]


def _manual_upload(w):
    upload = SimpleUploadedFile("manual.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    data = {"module": w.module.pk, "language": "en", "title": "Legal migration", "file": upload}
    return ("post", "/api/v1/manuals/", data, "multipart")


def _teachback(w, *, with_file: bool = False):
    from participants.models import TeachBack

    teachback = TeachBack.objects.create(
        enrolment=EnrolmentFactory(course=w.course), title="Screening interviews", score=70
    )
    if with_file:
        teachback.file.save("upload", SimpleUploadedFile("t.pdf", b"%PDF-1.4\n%%EOF\n"))
        teachback.original_name = "t.pdf"
        teachback.content_type = "application/pdf"
        teachback.save()
    return teachback


def _teachback_upload(w):
    upload = SimpleUploadedFile("teach back.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    data = {"enrolment": w.enrolment.pk, "title": "Return interviews", "file": upload}
    return ("post", "/api/v1/teachbacks/", data, "multipart")


def _attachment_upload(w):
    upload = SimpleUploadedFile("exercise.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    data = {"manual": w.manual.pk, "kind": "exercise", "title": "Role play", "file": upload}
    return ("post", "/api/v1/manual-attachments/", data, "multipart")


def _closable_course(w):
    """A course of bob's with every record the completion rule needs (the world's course lacks
    some, so closing it is refused with 409)."""
    course = CourseFactory(min_post_test_score=None)
    ExpertAssignmentFactory(expert=w.expert, course=course)
    enrolment = EnrolmentFactory(course=course)
    for day in range(course.days):
        AttendanceFactory(enrolment=enrolment, date=course.start_date + dt.timedelta(days=day))
    return course


def _closed_course(w):
    from delivery import services

    course = _closable_course(w)
    services.course_close(course=course, by=UserFactory(roles=["coordinator"]))
    return course


# A course's manual ZIP: the trainer who asked for it and coordinators.
BUNDLE_READERS = {"bob", "carol", "root"}


def _bobs_bundle(w):
    from trainings.bundles import bundle_build

    bob = UserFactory(username="bob", roles=["trainer"])
    bundle = ManualBundleFactory(course=w.course, requested_by=bob)
    bundle_build(bundle_id=bundle.pk)
    return bundle


CASES = [
    *crud(
        "programmes",
        lambda w: w.programme,
        ANY_ROLE,
        COORDINATORS,
        create=lambda w: {"name": "Budapest Process", "acronym": "BP"},
        update=lambda w: {"donor": "Hungary"},
        fresh=lambda w: ProgrammeFactory(),
    ),
    Case(
        "programmes-replace",
        COORDINATORS,
        200,
        _json(
            "put",
            lambda w: f"/api/v1/programmes/{w.programme.pk}/",
            lambda w: {"name": "Silk Routes", "acronym": "SRP"},
        ),
    ),
    *crud(
        "modules",
        lambda w: w.module,
        ANY_ROLE,
        COORDINATORS,
        create=lambda w: {"code": "border-management", "title_en": "Border management"},
        update=lambda w: {"order": 7},
        fresh=lambda w: ThematicModuleFactory(),
    ),
    Case("manuals-list", ANY_ROLE, 200, _get(lambda w: "/api/v1/manuals/")),
    Case("manuals-detail", ANY_ROLE, 200, _get(lambda w: f"/api/v1/manuals/{w.manual.pk}/")),
    Case("manuals-create", COORDINATORS, 201, _manual_upload),
    Case(
        "manuals-update",
        COORDINATORS,
        200,
        _json("patch", lambda w: f"/api/v1/manuals/{w.manual.pk}/", lambda w: {"title": "New"}),
    ),
    Case("manuals-delete", COORDINATORS, 204, _delete(lambda w: f"/api/v1/manuals/{w.manual.pk}/")),
    Case(
        "manuals-download",
        ANY_ROLE,
        200,
        _get(lambda w: f"/api/v1/manuals/{w.manual.pk}/download/"),
    ),
    Case("manual-attachments-list", ANY_ROLE, 200, _get(lambda w: "/api/v1/manual-attachments/")),
    Case(
        "manual-attachments-detail",
        ANY_ROLE,
        200,
        _get(lambda w: f"/api/v1/manual-attachments/{ManualAttachmentFactory().pk}/"),
    ),
    Case("manual-attachments-create", COORDINATORS, 201, _attachment_upload),
    Case(
        "manual-attachments-update",
        COORDINATORS,
        200,
        _json(
            "patch",
            lambda w: f"/api/v1/manual-attachments/{ManualAttachmentFactory(manual=w.manual).pk}/",
            lambda w: {"kind": "slides"},
        ),
    ),
    Case(
        "manual-attachments-delete",
        COORDINATORS,
        204,
        _delete(lambda w: f"/api/v1/manual-attachments/{ManualAttachmentFactory().pk}/"),
    ),
    Case(
        "manual-attachments-download",
        ANY_ROLE,
        200,
        _get(lambda w: f"/api/v1/manual-attachments/{ManualAttachmentFactory().pk}/download/"),
    ),
    Case(
        "manuals-withdraw",
        COORDINATORS,
        200,
        _json("post", lambda w: f"/api/v1/manuals/{w.manual.pk}/withdraw/", lambda w: {}),
    ),
    Case(
        "manuals-restore",
        COORDINATORS,
        200,
        _json(
            "post",
            lambda w: (
                f"/api/v1/manuals/{ManualFactory(withdrawn_at='2024-01-01T00:00Z').pk}/restore/"
            ),
            lambda w: {},
        ),
    ),
    Case("manual-downloads-list", COORDINATORS, 200, _get(lambda w: "/api/v1/manual-downloads/")),
    Case(
        "courses-manual-bundle",
        ANY_ROLE,
        202,
        _json("post", lambda w: f"/api/v1/courses/{w.course.pk}/manual-bundle/", lambda w: {}),
    ),
    Case(
        "manual-bundles-detail",
        BUNDLE_READERS,
        200,
        _get(lambda w: f"/api/v1/manual-bundles/{_bobs_bundle(w).pk}/"),
    ),
    Case(
        "manual-bundles-download",
        BUNDLE_READERS,
        200,
        _get(lambda w: f"/api/v1/manual-bundles/{_bobs_bundle(w).pk}/download/"),
    ),
    *crud(
        "courses",
        lambda w: w.course,
        ANY_ROLE,
        COORDINATORS,
        create=lambda w: {
            "programme": w.programme.pk,
            "code": "ISB",
            "title": "ToT Islamabad",
            "kind": "tot",
            "start_date": "2017-03-05",
            "end_date": "2017-03-14",
            "country": "PK",
            "modules": [w.module.pk],
            "languages": ["en"],
        },
        update=lambda w: {"venue": "Serena Hotel"},
        fresh=lambda w: CourseFactory(programme=w.programme),
    ),
    Case(
        "courses-enrol",
        TEAM,
        201,
        _json(
            "post",
            lambda w: f"/api/v1/courses/{w.open_course.pk}/enrolments/",
            lambda w: {"participants": [ParticipantFactory().pk]},
        ),
    ),
    # w.course ended in 2016: the roles that enrol are told so (409), the others get 403 first.
    Case(
        "courses-enrol-ended",
        TEAM,
        409,
        _json(
            "post",
            lambda w: f"/api/v1/courses/{w.course.pk}/enrolments/",
            lambda w: {"participants": [ParticipantFactory().pk]},
        ),
    ),
    Case(
        "enrolments-create-ended",
        TEAM,
        409,
        _json(
            "post",
            lambda w: "/api/v1/enrolments/",
            lambda w: {"participant": ParticipantFactory().pk, "course": w.course.pk},
        ),
    ),
    # bob is a trainer but does not teach w.course: the sheets are refused to him too.
    Case("courses-roster", TEAM, 200, _get(lambda w: f"/api/v1/courses/{w.course.pk}/roster/")),
    Case(
        "courses-attendance-sheet",
        TEAM | {"bob"},  # the course's own trainer takes the sheets, never the roster
        200,
        _get(lambda w: f"/api/v1/courses/{w.course.pk}/attendance-sheet/?as=csv"),
    ),
    Case(
        "courses-sign-in-sheet",
        TEAM | {"bob"},
        200,
        _get(lambda w: f"/api/v1/courses/{w.course.pk}/sign-in-sheet/"),
    ),
    *crud(
        "sessions",
        lambda w: w.session,
        ANY_ROLE,
        COORDINATORS,
        create=lambda w: {
            "course": w.course.pk,
            "date": str(w.course.start_date + dt.timedelta(days=1)),
            "module": w.module.pk,
        },
        update=lambda w: {"title": "Opening"},
        fresh=lambda w: w.session,
    ),
    *crud(
        "organisations",
        lambda w: w.organisation,
        ANY_ROLE,
        TEAM,
        create=lambda w: {"name": "Ministry of Interior", "country": "IQ", "kind": "ministry"},
        update=lambda w: {"acronym": "MMD"},
        fresh=lambda w: OrganisationFactory(),
    ),
    *crud(
        "participants",
        lambda w: w.participant,
        ANY_ROLE,
        TEAM,
        create=lambda w: {"first_name": "Omar", "organisation": w.organisation.pk, "country": "IQ"},
        update=lambda w: {"position": "Director"},
        fresh=lambda w: ParticipantFactory(),
        allowed_delete=ADMINISTRATORS,  # everyone else: erasure, or withdrawal
    ),
    Case(
        "participants-duplicates",
        TEAM,
        200,
        _get(lambda w: "/api/v1/participants/duplicates/?first_name=Layla&last_name=Al-Saadi"),
    ),
    Case(
        "participants-merge",
        TEAM,
        200,
        _json(
            "post",
            lambda w: f"/api/v1/participants/{w.participant.pk}/merge/",
            # The same person registered twice (another spelling, the same ministry).
            lambda w: {
                "duplicate": ParticipantFactory(
                    organisation=w.organisation,
                    first_name="Leila",
                    last_name=w.participant.last_name,
                ).pk
            },
        ),
    ),
    Case(
        "participants-personal-data",
        TEAM,
        200,
        _get(lambda w: f"/api/v1/participants/{w.participant.pk}/personal-data/"),
    ),
    Case(
        "participants-erase",
        COORDINATORS,
        200,
        _json(
            "post",
            lambda w: f"/api/v1/participants/{ParticipantFactory().pk}/erase/",
            lambda w: {"reason": "Asked by the trainee", "confirm": True},
        ),
    ),
    *crud(
        "enrolments",
        lambda w: w.enrolment,
        ANY_ROLE,
        TEAM,
        create=lambda w: {"participant": ParticipantFactory().pk, "course": w.open_course.pk},
        update=lambda w: {"status": "withdrawn", "reason": "Recalled by the ministry"},
        fresh=lambda w: EnrolmentFactory(course=w.course),
        allowed_delete=ADMINISTRATORS,
    ),
    Case(
        "enrolments-complete",
        COORDINATORS,
        200,
        _json(
            "patch",
            lambda w: f"/api/v1/enrolments/{w.enrolment.pk}/",
            lambda w: {"status": "completed", "reason": "Met the completion rule"},
        ),
    ),
    Case(
        "enrolments-fail",
        COORDINATORS,
        200,
        _json(
            "patch",
            lambda w: f"/api/v1/enrolments/{w.enrolment.pk}/",
            lambda w: {"status": "failed"},
        ),
    ),
    Case(
        "enrolments-override",
        COORDINATORS,
        200,
        _json(
            "post",
            lambda w: f"/api/v1/enrolments/{w.enrolment.pk}/override/",
            lambda w: {"status": "completed", "reason": "Sat the post-test orally"},
        ),
    ),
    Case(
        "enrolments-history",
        ANY_ROLE,
        200,
        _get(lambda w: f"/api/v1/enrolments/{w.enrolment.pk}/history/"),
    ),
    Case(
        "courses-completion",
        ANY_ROLE,
        200,
        _get(lambda w: f"/api/v1/courses/{w.course.pk}/completion/"),
    ),
    Case(
        "courses-close-preview",
        COORDINATORS,
        200,
        _get(lambda w: f"/api/v1/courses/{w.course.pk}/close/"),
    ),
    Case(
        "courses-close",
        COORDINATORS,
        200,
        _json("post", lambda w: f"/api/v1/courses/{_closable_course(w).pk}/close/", lambda w: {}),
    ),
    Case(
        "courses-reopen",
        COORDINATORS,
        200,
        _json(
            "post",
            lambda w: f"/api/v1/courses/{_closed_course(w).pk}/reopen/",
            lambda w: {"reason": "Closed before the post-test was marked"},
        ),
    ),
    Case(
        "courses-enrolments-status",
        TEAM,
        200,
        _json(
            "post",
            lambda w: f"/api/v1/courses/{w.course.pk}/enrolments/status/",
            lambda w: {"enrolments": [w.enrolment.pk], "status": "attended"},
        ),
    ),
    Case(
        "courses-attendance-grid",
        ANY_ROLE,
        200,
        _get(lambda w: f"/api/v1/courses/{w.course.pk}/attendance-grid/"),
    ),
    Case(
        "courses-attendance-grid-save",
        TEAM,
        200,
        _json(
            "post",
            lambda w: f"/api/v1/courses/{w.course.pk}/attendance-grid/",
            lambda w: {
                "marks": [
                    {
                        "enrolment": w.enrolment.pk,
                        "date": str(w.course.start_date),
                        "present": False,
                    }
                ]
            },
        ),
    ),
    Case("teachbacks-list", ANY_ROLE, 200, _get(lambda w: "/api/v1/teachbacks/")),
    Case(
        "teachbacks-detail",
        ANY_ROLE,
        200,
        _get(lambda w: f"/api/v1/teachbacks/{_teachback(w).pk}/"),
    ),
    Case("teachbacks-create", TEAM, 201, _teachback_upload),
    Case(
        "teachbacks-update",
        TEAM,
        200,
        _json(
            "patch",
            lambda w: f"/api/v1/teachbacks/{_teachback(w).pk}/",
            lambda w: {"score": "72.5", "evaluator": "Dr Rossi"},
        ),
    ),
    Case(
        "teachbacks-delete",
        TEAM,
        204,
        _delete(lambda w: f"/api/v1/teachbacks/{_teachback(w).pk}/"),
    ),
    Case(
        "teachbacks-download",
        ANY_ROLE,
        200,
        _get(lambda w: f"/api/v1/teachbacks/{_teachback(w, with_file=True).pk}/download/"),
    ),
    *crud(
        "attendance",
        lambda w: w.attendance,
        ANY_ROLE,
        TEAM,
        create=lambda w: {
            "enrolment": w.enrolment.pk,
            "date": str(w.course.start_date + dt.timedelta(days=1)),
            "present": False,
        },
        update=lambda w: {"present": False},
        fresh=lambda w: w.attendance,
    ),
    *crud(
        "experts",
        lambda w: w.expert,
        ANY_ROLE,
        COORDINATORS,
        create=lambda w: {"last_name": "Rossi", "country": "IT", "modules": [w.module.pk]},
        update=lambda w: {"organisation": "Ministry of the Interior, Italy"},
        fresh=lambda w: ExpertFactory(),
    ),
    Case(
        "experts-history",
        ANY_ROLE,
        200,
        _get(lambda w: f"/api/v1/experts/{w.expert.pk}/history/"),
    ),
    Case(
        "experts-login",
        COORDINATORS,
        201,
        _json(
            "post",
            lambda w: f"/api/v1/experts/{ExpertFactory(email='expert@example.org').pk}/login/",
            lambda w: {},
        ),
    ),
    *crud(
        "expert-assignments",
        lambda w: w.assignment,
        ANY_ROLE,
        COORDINATORS,
        create=lambda w: {"expert": ExpertFactory().pk, "course": w.course.pk, "role": "lead"},
        update=lambda w: {"role": "lead"},
        fresh=lambda w: w.assignment,
    ),
    Case("certificates-list", TEAM, 200, _get(lambda w: "/api/v1/certificates/")),
    Case(
        "certificates-detail",
        TEAM,
        200,
        _get(lambda w: f"/api/v1/certificates/{w.certificate.pk}/"),
    ),
    Case("certificate-batches-list", TEAM, 200, _get(lambda w: "/api/v1/certificate-batches/")),
    Case(
        "certificate-batches-detail",
        TEAM,
        200,
        _get(lambda w: f"/api/v1/certificate-batches/{w.batch.pk}/"),
    ),
    Case(
        "certificate-batches-zip",
        TEAM,
        200,
        _get(lambda w: f"/api/v1/certificate-batches/{w.batch.pk}/zip/"),
    ),
    Case(
        "certificate-batches-merged-pdf",
        TEAM,
        200,
        _get(lambda w: f"/api/v1/certificate-batches/{w.batch.pk}/merged-pdf/"),
    ),
    Case(
        "certificates-pdf",
        TEAM,
        200,
        _get(lambda w: f"/api/v1/certificates/{w.certificate.pk}/pdf/"),
    ),
    Case(
        "certificates-revoke",
        COORDINATORS,
        200,
        _json(
            "post",
            lambda w: f"/api/v1/certificates/{w.certificate.pk}/revoke/",
            lambda w: {"reason": "Issued in error"},
        ),
    ),
    Case(
        "certificates-reissue",
        COORDINATORS,
        202,
        _json(
            "post",
            lambda w: f"/api/v1/certificates/{w.certificate.pk}/reissue/",
            lambda w: {"reason": "Name corrected"},
        ),
    ),
    Case(
        "certificates-retry",
        COORDINATORS,
        202,
        _json(
            "post",
            lambda w: f"/api/v1/certificates/{CertificateFactory(status='failed').pk}/retry/",
            lambda w: {},
        ),
    ),
    Case(
        "courses-issue-certificates",
        COORDINATORS,
        202,
        _json(
            "post",
            lambda w: (
                f"/api/v1/courses/{EnrolmentFactory(status='completed').course.pk}"
                "/certificates/issue/"
            ),
            lambda w: {},
        ),
    ),
    Case(
        "verify",
        EVERYONE,
        200,
        _get(lambda w: f"/api/v1/verify/{w.certificate.verification_code}/"),
    ),
    Case(
        "auth-token",
        EVERYONE,
        200,
        _json(
            "post",
            lambda w: "/api/v1/auth/token/",
            lambda w: {"username": "alice", "password": "correct horse battery staple"},
        ),
    ),
    Case("course-exports-list", ANY_ROLE, 200, _get(lambda w: "/api/v1/course-exports/")),
    Case(
        "course-exports-detail",
        {"bob"},
        200,
        _get(lambda w: f"/api/v1/course-exports/{_prepared_file(w).pk}/"),
        others={"alice": 404, "carol": 404, "root": 404},  # bob's file, not theirs
    ),
    Case(
        "course-exports-download",
        {"bob"},
        200,
        _get(lambda w: f"/api/v1/course-exports/{_prepared_file(w).pk}/download/"),
        others={"alice": 404, "carol": 404, "root": 404},
    ),
    Case("schema", EVERYONE, 200, _get(lambda w: "/api/schema/")),
    Case("docs", EVERYONE, 200, _get(lambda w: "/api/docs/")),
]


@pytest.fixture
def world(db, bob):
    world = build_world()
    world.expert.user = bob  # bob teaches the world's course, as its visiting expert
    world.expert.save()
    # The world's course ended in 2016 and takes no enrolments: enrol in one that does.
    world.open_course = CourseFactory(programme=world.programme, code="NEXT", upcoming=True)
    return world


def expected_status(case: Case, actor: str) -> int:
    if actor in case.others:
        return case.others[actor]
    if actor in case.allowed:
        return case.success
    return 401 if actor == "anon" else 403


@pytest.fixture
def client_for(request, api_as, anon_api, alice):
    """An API client acting as the named actor (``alice`` always exists: the token case logs
    in as her)."""

    def make(actor: str):
        if actor == "anon":
            return anon_api
        return api_as(request.getfixturevalue(actor))

    return make


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_it_answers_each_actor_with_the_expected_status(case, actor, world, client_for):
    method, url, data, fmt = case.build(world)
    client = client_for(actor)
    kwargs = {"format": fmt} if fmt else {}
    response = getattr(client, method)(url, data, **kwargs)
    expected = expected_status(case, actor)
    assert response.status_code == expected, (
        f"{actor} {method.upper()} {url}: {response.status_code}, expected {expected}: "
        f"{getattr(response, 'data', None) or response.content[:300]!r}"
    )


@pytest.mark.parametrize(
    "url", ["/api/v1/courses/", "/api/v1/participants/", "/api/v1/certificates/"]
)
def test_it_asks_anonymous_clients_for_a_token_instead_of_redirecting(url, anon_api, db):
    response = anon_api.get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert "Location" not in response


def test_it_refuses_a_project_team_member_reopening_a_completed_enrolment(world, api_as, alice):
    world.enrolment.status = "completed"
    world.enrolment.save()
    response = api_as(alice).patch(
        f"/api/v1/enrolments/{world.enrolment.pk}/", {"status": "confirmed"}
    )
    assert response.status_code == 403
    world.enrolment.refresh_from_db()
    assert world.enrolment.status == "completed"
