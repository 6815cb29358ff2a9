"""The import reads the registry once per file and inserts new people in batches: the number
of queries does not grow with the list, an unchanged re-import writes nothing, and a person
registered by someone else while the list is imported refuses the whole import."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.errors import ConflictError
from participants import imports
from participants.models import Participant
from participants.services import participants_import
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def nomination_list(rows: int, *, start: int = 0) -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["first_name", "last_name", "email", "organisation", "country", "phone"])
    for n in range(start, start + rows):
        ministry = ["Ministry of Interior", "MoMD", "Ministry of Foreign Affairs"][n % 3]
        writer.writerow([f"Trainee{n}", "Al-Saadi", f"t{n}@gov.iq", ministry, "Iraq", ""])
    return SimpleUploadedFile("list.csv", out.getvalue().encode())


@pytest.fixture
def ministries():
    OrganisationFactory(name="Ministry of Interior", acronym="MoI")
    OrganisationFactory(name="Ministry of Migration and Displacement", acronym="MoMD")


def queries_for(alice, rows: int, *, start: int, dry_run: bool) -> int:
    with CaptureQueriesContext(connection) as queries:
        participants_import(file=nomination_list(rows, start=start), by=alice, dry_run=dry_run)
    return len(queries)


@pytest.mark.parametrize("dry_run", [True, False])
def test_queries_do_not_grow_with_the_list(alice, ministries, dry_run):
    OrganisationFactory(name="Ministry of Foreign Affairs")  # no new organisation either time
    few = queries_for(alice, 6, start=0, dry_run=dry_run)
    many = queries_for(alice, 60, start=1000, dry_run=dry_run)
    assert many == few


def test_an_unchanged_reimport_writes_nothing(alice, ministries):
    participants_import(file=nomination_list(9), by=alice)
    stamps = dict(Participant.objects.values_list("pk", "updated_at"))
    with CaptureQueriesContext(connection) as queries:
        report = participants_import(file=nomination_list(9), by=alice)
    assert (report.created, report.updated) == (0, 9)
    assert dict(Participant.objects.values_list("pk", "updated_at")) == stamps
    writes = [q["sql"] for q in queries if q["sql"].startswith(("INSERT", "UPDATE"))]
    assert writes == []


def test_the_new_organisation_and_people_are_created_in_one_go(alice, ministries):
    report = participants_import(file=nomination_list(6), by=alice)
    assert report.created == 6
    assert report.new_organisations == ["Ministry of Foreign Affairs"]
    by_ministry = {p.email: p.organisation.name for p in Participant.objects.all()}
    assert by_ministry["t1@gov.iq"] == "Ministry of Migration and Displacement"  # by acronym
    assert by_ministry["t2@gov.iq"] == "Ministry of Foreign Affairs"


def test_someone_registering_a_listed_person_meanwhile_refuses_the_import(
    alice, ministries, monkeypatch
):
    """The registry was read before the other registration committed: the unique e-mail
    constraint catches it, and nothing of the file is kept."""
    read = imports.Registry.__init__

    def read_then_someone_registers(self, rows):
        read(self, rows)
        Participant.objects.create(first_name="Trainee3", email="T3@gov.iq")

    monkeypatch.setattr(imports.Registry, "__init__", read_then_someone_registers)
    with pytest.raises(ConflictError, match="while the list was being imported"):
        participants_import(file=nomination_list(6), by=alice)
    assert not Participant.objects.filter(email__startswith="t").exclude(email="T3@gov.iq").exists()
