"""Names and titles that pages and certificates print lose bidirectional controls (U+202A–U+202E,
U+2066–U+2069) on every write — the API, the pages' and the admin's forms, the import, the
services — and keep the zero-width joiner and non-joiner that Persian and Arabic names need."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certificates.models import Signatory
from certificates.selectors import course_signatories
from certificates.services.issuing import new_certificate
from participants.models import Organisation
from participants.services import participants_import
from tests.factories import (
    CourseFactory,
    EnrolmentFactory,
    ExpertFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ThematicModuleFactory,
)
from trainings.models import Course, Manual, Programme, ThematicModule

pytestmark = pytest.mark.django_db

RLO, PDF, RLI, PDI = "\u202e", "\u202c", "\u2067", "\u2069"
ZWNJ = "\u200c"
PDF_BYTES = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def tainted(text: str) -> str:
    """``text`` with an override around its first word and an isolate around the rest."""
    first, _, rest = text.partition(" ")
    return f"{RLO}{first}{PDF} {RLI}{rest}{PDI}" if rest else f"{RLO}{first}{PDF}"


@pytest.mark.parametrize(
    ("factory", "url", "fields"),
    [
        (
            OrganisationFactory,
            "/api/v1/organisations/{pk}/",
            {"name": "Ministry of Interior", "native_name": "وزارة الداخلية", "acronym": "MoI"},
        ),
        (
            ExpertFactory,
            "/api/v1/experts/{pk}/",
            {
                "first_name": "Siobhán",
                "last_name": "Gallagher",
                "title": "Dr",
                "organisation": "Irish Naturalisation Service",
            },
        ),
        (
            CourseFactory,
            "/api/v1/courses/{pk}/",
            {
                "title": "Training of Trainers Erbil",
                "title_ru": "Подготовка тренеров",
                "title_ar": "تدريب المدربين",
                "city": "Erbil",
                "venue": "Rotana Hotel",
            },
        ),
        (
            ProgrammeFactory,
            "/api/v1/programmes/{pk}/",
            {"name": "Silk Routes Partnership", "acronym": "SRP"},
        ),
        (
            ThematicModuleFactory,
            "/api/v1/modules/{pk}/",
            {"title_en": "Border management", "title_ar": "إدارة الحدود"},
        ),
    ],
    ids=["organisation", "expert", "course", "programme", "module"],
)
def test_the_api_stores_printed_names_without_bidi_controls(api_as, carol, factory, url, fields):
    row = factory()

    answer = api_as(carol).patch(
        url.format(pk=row.pk),
        {name: tainted(value) for name, value in fields.items()},
        format="json",
    )

    assert answer.status_code == 200, answer.content
    row.refresh_from_db()
    assert {name: getattr(row, name) for name in fields} == fields


def test_zero_width_joiners_stay(api_as, carol):
    organisation = OrganisationFactory()
    native = f"وزارت مهاجرت{ZWNJ}ها"

    api_as(carol).patch(
        f"/api/v1/organisations/{organisation.pk}/",
        {"native_name": f"{RLI}{native}{PDI}"},
        format="json",
    )

    organisation.refresh_from_db()
    assert organisation.native_name == native


def test_the_admin_stores_signatory_names_and_titles_without_bidi_controls(client, root):
    programme = ProgrammeFactory()
    client.force_login(root)

    answer = client.post(
        reverse("admin:certificates_signatory_add"),
        {
            "programme": programme.pk,
            "name": tainted("Ralph Genetzke"),
            "title": tainted("Head of Mission"),
            "order": 0,
            "is_active": "on",
        },
    )

    assert answer.status_code == 302
    signatory = Signatory.objects.get()
    assert (signatory.name, signatory.title) == ("Ralph Genetzke", "Head of Mission")


def test_an_imported_organisation_with_a_control_matches_the_registered_one(db):
    registered = OrganisationFactory(name="Ministry of Interior")
    sheet = (
        "first_name,last_name,organisation\r\n"
        f"Ahmed,Al-Saadi,{RLO}Ministry of Interior{PDF}\r\n"
        f"Layla,Hassan,{tainted('Ministry of Refugees')}\r\n"
    ).encode()

    participants_import(file=io.BytesIO(sheet), by=None, dry_run=False, skip_invalid=False)

    assert registered.participants.get().first_name == "Ahmed"
    assert sorted(Organisation.objects.values_list("name", flat=True)) == [
        "Ministry of Interior",
        "Ministry of Refugees",
    ]


def test_a_manual_title_is_stored_without_bidi_controls(api_as, carol):
    module = ThematicModuleFactory()
    upload = SimpleUploadedFile("m.pdf", PDF_BYTES, content_type="application/pdf")

    answer = api_as(carol).post(
        "/api/v1/manuals/",
        {
            "module": module.pk,
            "language": "en",
            "title": tainted("Trainer's manual"),
            "file": upload,
        },
        format="multipart",
    )

    assert answer.status_code == 201, answer.content
    assert Manual.objects.get().title == "Trainer's manual"


def test_a_certificate_prints_the_cleaned_names(api_as, carol, client, root):
    """End to end: names typed with controls through the API and the admin are printed clean."""
    course = CourseFactory(programme=ProgrammeFactory())
    module = ThematicModuleFactory()
    course.modules.set([module])
    client.force_login(root)
    client.post(
        reverse("admin:certificates_signatory_add"),
        {"programme": course.programme_id, "name": tainted("Ralph Genetzke"),
         "title": tainted("Head of Mission"), "order": 0, "is_active": "on"},
    )  # fmt: skip
    api = api_as(carol)
    api.patch(f"/api/v1/courses/{course.pk}/", {"title": tainted("ToT Erbil")}, format="json")
    api.patch(f"/api/v1/programmes/{course.programme_id}/", {"name": tainted("Silk Routes")})
    api.patch(f"/api/v1/modules/{module.pk}/", {"title_en": tainted("Border management")})
    course = Course.objects.select_related("programme").get(pk=course.pk)

    certificate = new_certificate(
        enrolment=EnrolmentFactory(course=course),
        course=course,
        modules=list(ThematicModule.objects.filter(pk=module.pk)),
        signatories=course_signatories(course),
        language="en",
        serial="SRP-2016-ERB-0001",
        design=None,
    )

    printed = str(certificate.snapshot)
    assert "ToT Erbil" in printed and "Silk Routes" in printed and "Border management" in printed
    assert "Ralph Genetzke" in printed and "Head of Mission" in printed
    assert not any(control in printed for control in (RLO, PDF, RLI, PDI))
    assert Programme.objects.get(pk=course.programme_id).name == "Silk Routes"
