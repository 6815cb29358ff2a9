import pytest
from django.contrib.auth.models import Group


def test_role_groups_exist_after_migrations(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "project team",
        "trainer",
        "coordinator",
    }


@pytest.mark.parametrize("url", ["/api/v1/courses/", "/api/v1/auth/token/"])
def test_a_json_body_nested_too_deeply_is_bad_input_not_a_crash(url, api_as, carol):
    response = api_as(carol).post(url, "[" * 100_000, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]
