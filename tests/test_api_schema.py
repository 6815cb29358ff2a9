"""The API keeps the promises of its OpenAPI schema, for every role.

Schemathesis reads ``/api/schema/`` from the WSGI application and sends generated requests,
valid and invalid, to every operation as a coordinator, a trainer, a project-team member, a user
without a role and an anonymous client. No answer may be a server error, and every answer must
have a documented status code, content type and body.

About half of the generated cases have their path id, and the ids their body refers to, swapped
for those of real objects, so detail, update, delete, the custom actions and the creates run
against data, not only into 404s and "object does not exist". The run is kept small (a dozen
examples per operation and role, no shrinking, deterministic) so the file stays under two
minutes; ``API_FUZZ_EXAMPLES=100`` explores deeper.

The operations are driven with Hypothesis directly (``operation.as_strategy()``) rather than
with ``schema.parametrize()``, whose pytest integration fails on pytest 9 (it writes
``request.node._nodeid``): one pytest item per role and operation, each with a fresh database.
"""

import os
import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests.api_fixtures import build_world, fast_passwords, fresh_throttles  # noqa: F401

SCHEMA = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
OPERATIONS = sorted(op.ok().label for op in SCHEMA.get_all_operations())

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# Examples per operation, role and mode; raise it for a deeper, slower exploration.
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "12"))

ROLES = ["coordinator", "trainer", "project_team", "norole", "anonymous"]

RESOURCE_PATH = re.compile(r"^/api/v1/(?P<resource>[\w-]+)/\{id\}/")


def real_ids(world) -> dict[str, int]:
    return {
        "programmes": world.programme.pk,
        "modules": world.module.pk,
        "manuals": world.manual.pk,
        "courses": world.course.pk,
        "sessions": world.session.pk,
        "organisations": world.organisation.pk,
        "participants": world.participant.pk,
        "enrolments": world.enrolment.pk,
        "attendance": world.attendance.pk,
        "experts": world.expert.pk,
        "expert-assignments": world.assignment.pk,
        "certificates": world.certificate.pk,
        "certificate-batches": world.batch.pk,
        "manual-attachments": world.attachment.pk,
        "manual-downloads": world.download.pk,
        "manual-bundles": world.bundle.pk,
        "teachbacks": world.teachback.pk,
        "course-exports": world.course_export.pk,
    }


def real_references(world, path: str) -> dict[str, object]:
    """The value a body field referring to another object gets when it is made real."""
    return {
        "programme": world.programme.pk,
        "module": world.module.pk,
        "modules": [world.module.pk],
        "course": world.course.pk,
        "session": world.session.pk,
        "organisation": world.organisation.pk,
        "participant": world.participant.pk,
        "participants": [world.participant.pk],
        "trainers": [world.participant.pk],
        "enrolment": world.enrolment.pk,
        "expert": world.expert.pk,
        "manual": world.manual.pk,
        "parent": world.organisation.pk if "organisations" in path else world.course.pk,
    }


def make_real(case, real_id, references) -> None:
    if real_id is not None and "id" in (case.path_parameters or {}):
        case.path_parameters["id"] = real_id
    if isinstance(case.body, dict):
        for field in case.body.keys() & references.keys():
            case.body[field] = references[field]


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Requests reach the WSGI application directly, so Django's request signals would close
    the database connection around each one, inside the test's transaction. Django's own test
    client disconnects that handler for the same reason; so do we."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


RESOURCES = [
    "programmes",
    "modules",
    "manuals",
    "courses",
    "sessions",
    "organisations",
    "participants",
    "enrolments",
    "attendance",
    "experts",
    "expert-assignments",
    "certificates",
    "certificate-batches",
    "manual-attachments",
    "teachbacks",
]


def test_the_schema_documents_every_resource_and_the_token_endpoint():
    paths = {label.split(" ", 1)[1] for label in OPERATIONS}
    for resource in RESOURCES:
        assert f"/api/v1/{resource}/" in paths
        assert f"/api/v1/{resource}/{{id}}/" in paths
    assert "/api/v1/auth/token/" in paths


@pytest.mark.parametrize("label", OPERATIONS)
@pytest.mark.parametrize("role", ROLES)
def test_the_api_answers_as_its_schema_promises(role, label, actors):
    headers = {}
    if role != "anonymous":
        token, _ = Token.objects.get_or_create(user=actors[role])
        headers = {"Authorization": f"Token {token.key}"}
    operation = SCHEMA.find_operation_by_label(label)
    world = build_world()
    match = RESOURCE_PATH.match(operation.path)
    real_id = real_ids(world)[match["resource"]] if match else None
    references = real_references(world, operation.path)
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @given(case=cases, use_real_ids=st.booleans())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case, use_real_ids):
        if use_real_ids:
            make_real(case, real_id, references)
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()
