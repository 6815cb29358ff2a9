"""Who may do what through the API: every endpoint × every actor, with the exact status.

alice is on the project team, bob is a trainer, carol is a coordinator, dave has no role, root is
a superuser; ``anon`` sends no credentials and must get 401 (never a redirect, never 403).
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api_fixtures import build_world, fast_passwords, fresh_throttles  # noqa: F401
from tests.factories import (
    CertificateFactory,
    CourseFactory,
    EnrolmentFactory,
    ExpertFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProgrammeFactory,
    ThematicModuleFactory,
)

ACTORS = ["anon", "dave", "alice", "bob", "carol", "root"]

# Which actors may perform an operation of each kind.
ANY_ROLE = {"alice", "bob", "carol", "root"}
COORDINATORS = {"carol", "root"}
TEAM = {"alice", "carol", "root"}  # project team and coordinators
EVERYONE = set(ACTORS)


@dataclass
class Case:
    name: str
    allowed: set[str]
    success: int
    build: Any  # world -> (method, url, data, format)


def _get(url):
    return lambda w: ("get", url(w), None, None)


def _json(method, url, data):
    return lambda w: (method, url(w), data(w), "json")


def _delete(url):
    return lambda w: ("delete", url(w), None, None)


def crud(resource, obj, allowed_read, allowed_write, create, update, fresh):
    """The five standard operations of one resource."""
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
        Case(f"{resource}-delete", allowed_write, 204, _delete(lambda w: f"{base}{fresh(w).pk}/")),
    ]


def _manual_upload(w):
    upload = SimpleUploadedFile("manual.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    data = {"module": w.module.pk, "language": "en", "title": "Legal migration", "file": upload}
    return ("post", "/api/v1/manuals/", data, "multipart")


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
            lambda w: f"/api/v1/courses/{w.course.pk}/enrolments/",
            lambda w: {"participants": [ParticipantFactory().pk]},
        ),
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
    ),
    *crud(
        "enrolments",
        lambda w: w.enrolment,
        ANY_ROLE,
        TEAM,
        create=lambda w: {"participant": ParticipantFactory().pk, "course": w.course.pk},
        update=lambda w: {"status": "withdrawn", "reason": "Recalled by the ministry"},
        fresh=lambda w: EnrolmentFactory(course=w.course),
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
    Case("schema", EVERYONE, 200, _get(lambda w: "/api/schema/")),
    Case("docs", EVERYONE, 200, _get(lambda w: "/api/docs/")),
]


@pytest.fixture
def world(db):
    return build_world()


def expected_status(case: Case, actor: str) -> int:
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
