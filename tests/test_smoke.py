from django.contrib.auth.models import Group


def test_role_groups_exist_after_migrations(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "project team",
        "trainer",
        "coordinator",
    }
