"""Withdrawing a manual version takes it out of the library but keeps it in the history;
restoring puts it back. Coordinators only; who withdrew and why is recorded."""

import pytest

from tests.factories import ManualFactory, ThematicModuleFactory
from trainings.models import Manual

pytestmark = pytest.mark.django_db


@pytest.fixture
def versions():
    module = ThematicModuleFactory()
    return ManualFactory(module=module, version=1), ManualFactory(module=module, version=2)


def current_ids(client) -> set[int]:
    return {m["id"] for m in client.get("/api/v1/manuals/", {"current": "true"}).json()["results"]}


def test_withdrawing_the_newest_version_makes_the_previous_one_current(
    versions, api_as, carol, bob
):
    old, new = versions
    response = api_as(carol).post(
        f"/api/v1/manuals/{new.pk}/withdraw/", {"reason": "Outdated legal references"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["withdrawn_at"] is not None
    assert (body["withdrawn_by"], body["withdrawal_reason"]) == (
        carol.pk,
        "Outdated legal references",
    )
    assert body["is_current"] is False
    assert current_ids(api_as(bob)) == {old.pk}
    # Still in the history, still downloadable.
    assert api_as(bob).get(f"/api/v1/manuals/{new.pk}/download/").status_code == 200


def test_withdrawing_twice_answers_409_and_changes_nothing(versions, api_as, carol, root):
    _old, new = versions
    api_as(carol).post(f"/api/v1/manuals/{new.pk}/withdraw/", {})
    response = api_as(root).post(f"/api/v1/manuals/{new.pk}/withdraw/", {"reason": "again"})
    assert response.status_code == 409
    assert Manual.objects.get(pk=new.pk).withdrawn_by == carol


def test_restoring_makes_the_version_current_again(versions, api_as, carol, bob):
    _old, new = versions
    api_as(carol).post(f"/api/v1/manuals/{new.pk}/withdraw/", {})
    response = api_as(carol).post(f"/api/v1/manuals/{new.pk}/restore/")
    assert response.status_code == 200
    assert response.json()["is_current"] is True
    assert response.json()["withdrawn_by"] is None
    assert current_ids(api_as(bob)) == {new.pk}


def test_restoring_a_version_that_is_not_withdrawn_answers_409(versions, api_as, carol):
    assert api_as(carol).post(f"/api/v1/manuals/{versions[1].pk}/restore/").status_code == 409


@pytest.mark.parametrize(
    ("actor", "expected"), [("alice", 403), ("bob", 403), ("dave", 403), ("root", 200)]
)
def test_only_coordinators_withdraw(versions, request, api_as, actor, expected):
    _old, new = versions
    response = api_as(request.getfixturevalue(actor)).post(f"/api/v1/manuals/{new.pk}/withdraw/")
    assert response.status_code == expected
    assert (Manual.objects.get(pk=new.pk).withdrawn_at is not None) == (expected == 200)


def test_anonymous_clients_cannot_withdraw(versions, anon_api):
    assert anon_api.post(f"/api/v1/manuals/{versions[1].pk}/withdraw/").status_code == 401


def test_withdrawing_by_patch_still_records_who(versions, api_as, carol):
    _old, new = versions
    api_as(carol).patch(f"/api/v1/manuals/{new.pk}/", {"withdrawn_at": "2024-01-01T00:00:00Z"})
    assert Manual.objects.get(pk=new.pk).withdrawn_by == carol
