"""The admin: every registered model's pages answer, search finds rows, changelists run a fixed
number of queries, admin-specific saves fill what the services would, and spreadsheet exports
cannot smuggle formulas."""

import datetime as dt
import hashlib

import pytest
import tablib
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts.models import AuditEntry
from certificates.models import Certificate, CertificateBatch, CertificateDesign, Signatory
from experts.models import ExpertAssignment
from participants.admin import ParticipantResource
from participants.models import Enrolment, Participant
from tests.factories import (
    AttendanceFactory,
    CertificateBatchFactory,
    CertificateFactory,
    CourseFactory,
    CourseSessionFactory,
    EnrolmentFactory,
    ExpertAssignmentFactory,
    ExpertFactory,
    ManualFactory,
    OrganisationFactory,
    ParticipantFactory,
)
from trainings.models import Manual, ManualDownload

READ_ONLY_MODELS = {AuditEntry, Certificate, CertificateBatch, ManualDownload}


@pytest.fixture
def world(root):
    """One row of every registered model, linked the way real data is."""
    course = CourseFactory(code="ERB", title="Training of Trainers — Erbil")
    session = CourseSessionFactory(course=course)
    government = OrganisationFactory(name="Kurdistan Regional Government", kind="other")
    ministry = OrganisationFactory(name="Ministry of Interior", parent=government)
    enrolment = EnrolmentFactory(
        course=course,
        participant__first_name="Shilan",
        participant__last_name="Othman",
        participant__native_name="شيلان عثمان",
        participant__organisation=ministry,
    )
    AttendanceFactory(enrolment=enrolment)
    expert = ExpertFactory(last_name="Becker")
    ExpertAssignmentFactory(expert=expert, course=course)
    ExpertAssignmentFactory(expert=expert, course=course, session=session)
    ManualDownload.objects.create(manual=ManualFactory(module=session.module), user=root)
    batch = CertificateBatchFactory(course=course, created_by=root)
    CertificateFactory(
        enrolment=enrolment, batch=batch, snapshot={"name": "<script>alert(1)</script>"}
    )
    CertificateDesign.objects.create(name="Classic Erbil", html="<p>{{ c.serial }}</p>", css="")
    Signatory.objects.create(programme=course.programme, name="Head of Project", title="ICMPD")
    Token.objects.get_or_create(user=root)
    AuditEntry.objects.create(
        actor=root,
        actor_name="root",
        action="course_closed",
        object_type="trainings.course",
        object_id=str(course.pk),
        summary="Closed ERB: 1 completed, 0 did not.",
    )
    return {"course": course, "session": session, "enrolment": enrolment, "expert": expert}


@pytest.fixture
def admin_client(client, root):
    client.force_login(root)
    return client


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_every_admin_page_answers_for_the_superuser(admin_client, world, model):
    obj = model._default_manager.first()
    assert obj is not None, "the world fixture should hold a row of every registered model"

    assert admin_client.get(url(model, "changelist")).status_code == 200
    assert admin_client.get(url(model, "changelist"), {"q": "Erbil"}).status_code == 200
    assert admin_client.get(url(model, "change", obj.pk)).status_code == 200
    expected_add = 403 if model in READ_ONLY_MODELS else 200
    assert admin_client.get(url(model, "add")).status_code == expected_add


def test_the_site_is_branded(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()

    assert "ToT Manager administration" in page


@pytest.mark.parametrize(
    ("model", "query", "expected"),
    [
        (Participant, "شيلان", "Othman"),
        (Participant, "Ministry of Interior", "Othman"),
        (Enrolment, "Othman", "Othman"),
        (Certificate, "Othman", "SRP-2016-ERB-"),
        (ExpertAssignment, "Becker", "Becker"),
    ],
)
def test_search_finds_rows_by_related_names(admin_client, world, model, query, expected):
    found = admin_client.get(url(model, "changelist"), {"q": query})
    missed = admin_client.get(url(model, "changelist"), {"q": "no such name anywhere"})

    assert expected in found.content.decode()
    assert found.context["cl"].result_count >= 1
    assert missed.context["cl"].result_count == 0


def test_participant_autocomplete_answers_with_matches(admin_client, world):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "participants",
            "model_name": "enrolment",
            "field_name": "participant",
            "term": "Shil",
        },
    )

    assert [row["text"] for row in response.json()["results"]] == ["Shilan Othman"]


def changelist_queries(client, model) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(model, "changelist")).status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", [Participant, Enrolment])
def test_changelist_queries_do_not_grow_with_rows(admin_client, model):
    course = CourseFactory()
    for _ in range(2):
        EnrolmentFactory(course=course, participant__organisation__parent=OrganisationFactory())
    few = changelist_queries(admin_client, model)

    for _ in range(15):
        enrolment = EnrolmentFactory(
            course=course, participant__organisation__parent=OrganisationFactory()
        )
        AttendanceFactory(enrolment=enrolment)
    many = changelist_queries(admin_client, model)

    assert many == few


def test_certificate_pages_show_printed_content_as_text(admin_client, world):
    certificate = Certificate.objects.get()

    page = admin_client.get(url(Certificate, "change", certificate.pk)).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert certificate.serial in page


def test_a_manual_uploaded_in_the_admin_gets_the_next_version_and_its_checksum(
    admin_client, world, root
):
    module = world["session"].module
    data = b"%PDF-1.4\nmanual v2\n%%EOF\n"

    response = admin_client.post(
        url(Manual, "add"),
        {
            "module": module.pk,
            "language": "en",
            "title": "Trainer's manual, second edition",
            "notes": "",
            "file": SimpleUploadedFile("Manual (final).pdf", data, "application/pdf"),
            "withdrawn_at_0": "",
            "withdrawn_at_1": "",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    manual = Manual.objects.get(title="Trainer's manual, second edition")
    assert (manual.version, manual.size, manual.original_name) == (
        2,
        len(data),
        "Manual (final).pdf",
    )
    assert manual.sha256 == hashlib.sha256(data).hexdigest()
    assert manual.uploaded_by == root
    assert "Manual (final)" not in manual.file.name


def test_changing_a_status_in_the_admin_records_who_and_when(admin_client, world, root):
    enrolment = world["enrolment"]

    response = admin_client.post(
        url(Enrolment, "change", enrolment.pk),
        {
            "participant": enrolment.participant_id,
            "course": enrolment.course_id,
            "status": "withdrawn",
            "status_reason": "Left for a posting abroad.",
            "pre_test_score": "",
            "post_test_score": "",
            "certificate_language": "",
            "attendance-TOTAL_FORMS": "0",
            "attendance-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == "withdrawn"
    assert enrolment.status_changed_by == root
    assert enrolment.status_changed_at is not None


def test_an_expert_added_on_a_session_page_is_assigned_to_its_course(admin_client, world):
    session, course = world["session"], world["course"]
    other = ExpertFactory(last_name="Gallagher")
    existing = session.expert_assignments.get()

    response = admin_client.post(
        url(type(session), "change", session.pk),
        {
            "course": course.pk,
            "date": session.date.isoformat(),
            "start_time": "09:00",
            "end_time": "12:30",
            "module": session.module_id,
            "title": "",
            "expert_assignments-TOTAL_FORMS": "2",
            "expert_assignments-INITIAL_FORMS": "1",
            "expert_assignments-0-id": existing.pk,
            "expert_assignments-0-session": session.pk,
            "expert_assignments-0-expert": existing.expert_id,
            "expert_assignments-0-role": existing.role,
            "expert_assignments-1-session": session.pk,
            "expert_assignments-1-expert": other.pk,
            "expert_assignments-1-role": "lead",
        },
    )

    assert response.status_code == 302
    added = ExpertAssignment.objects.get(expert=other)
    assert (added.course, added.session, added.role) == (course, session, "lead")


# --- Spreadsheet import and export --------------------------------------------------------


def test_exports_neutralise_spreadsheet_formulas(db):
    ParticipantFactory(
        first_name='=HYPERLINK("http://evil.example")',
        last_name="+SUM(A1)",
        position="-1+2",
        native_name="@cmd",
        phone="+964 750 446 1832",
        email="plain@example.org",
    )

    dataset = ParticipantResource().export()
    row = dict(zip(dataset.headers, dataset[0], strict=True))

    assert dataset.headers[:3] == ["first_name", "last_name", "native_name"]
    assert row["first_name"] == '\'=HYPERLINK("http://evil.example")'
    assert row["last_name"] == "'+SUM(A1)"
    assert row["position"] == "'-1+2"
    assert row["native_name"] == "'@cmd"
    assert row["phone"] == "'+964 750 446 1832"
    assert row["email"] == "plain@example.org"
    assert "\n\"'=HYPERLINK" in dataset.export("csv").replace("\r\n", "\n")


def test_the_export_page_answers(admin_client, world):
    assert admin_client.get(url(Participant, "export")).status_code == 200
    assert admin_client.get(url(Participant, "import")).status_code == 200


def import_rows(rows: list[list], dry_run: bool = False):
    headers = ["Given name", "Family Name", "E-mail", "Sex", "Ministry", "Nationality", "Phone"]
    return ParticipantResource().import_data(
        tablib.Dataset(*rows, headers=headers), dry_run=dry_run
    )


def test_import_accepts_forgiving_headers_and_updates_instead_of_duplicating(db):
    ministry = OrganisationFactory(name="Ministry of Migration and Displacement", acronym="MoMD")
    rows = [
        ["Zainab", "Al-Musawi", "zainab@example.org", "F", "MoMD", "Iraq", "+964 780 255 7193"],
        ["Haider", "Al-Khafaji", "", "male", "Ministry of Migration and Displacement", "IQ", ""],
    ]

    first = import_rows(rows)
    rows[0][1] = "Al-Mousawi"
    second = import_rows(rows)

    assert not first.has_errors() and not first.has_validation_errors()
    assert not second.has_validation_errors()
    assert Participant.objects.count() == 2
    zainab = Participant.objects.get(email="zainab@example.org")
    assert (zainab.last_name, zainab.gender, str(zainab.country)) == ("Al-Mousawi", "female", "IQ")
    assert zainab.organisation == ministry


def test_import_reports_unknown_values_and_changes_nothing_on_a_dry_run(db):
    rows = [["Ali", "Al-Tamimi", "not-an-email", "X", "Ministry of Magic", "Atlantis", ""]]

    result = import_rows(rows, dry_run=True)

    assert result.has_validation_errors()
    errors = result.invalid_rows[0].error_dict
    assert {"email", "gender", "organisation", "country"} <= set(errors)
    assert not Participant.objects.exists()


def test_a_re_imported_export_round_trips(db):
    ParticipantFactory(first_name="Aras", last_name="Mahmoud", phone="+964 750 446 1832")
    dataset = ParticipantResource().export()

    result = ParticipantResource().import_data(
        tablib.Dataset().load(dataset.export("csv"), format="csv")
    )

    assert not result.has_validation_errors(), result.invalid_rows
    assert Participant.objects.count() == 1
    assert Participant.objects.get().phone == "+964 750 446 1832"


def test_attendance_rows_record_who_entered_them(admin_client, world, root):
    enrolment = world["enrolment"]
    day = enrolment.course.start_date + dt.timedelta(days=1)

    response = admin_client.post(
        url(Enrolment, "change", enrolment.pk),
        {
            "participant": enrolment.participant_id,
            "course": enrolment.course_id,
            "status": enrolment.status,
            "status_reason": "",
            "pre_test_score": "",
            "post_test_score": "",
            "certificate_language": "",
            "attendance-TOTAL_FORMS": "1",
            "attendance-INITIAL_FORMS": "0",
            "attendance-0-enrolment": enrolment.pk,
            "attendance-0-date": day.isoformat(),
            "attendance-0-present": "on",
        },
    )

    assert response.status_code == 302
    assert enrolment.attendance.get(date=day).recorded_by == root
    enrolment.refresh_from_db()
    assert enrolment.status_changed_by is None


# --- Saves go through the services --------------------------------------------------------


def test_a_trainee_added_in_the_admin_is_registered_like_everywhere_else(admin_client, world):
    course = CourseFactory(upcoming=True)
    response = admin_client.post(
        url(Participant, "add"),
        {
            "first_name": " Dilan ",
            "last_name": "Rashid",
            "native_name": "ديلان رشيد",
            "gender": "female",
            "country": "IQ",
            "email": "dilan.rashid@example.org",
            "phone": "0750 912 4478",
            "organisation": "",
            "position": "Training Officer",
            "consent_given": "on",
            "consent_date": "",
            "notes": "",
            "enrolments-TOTAL_FORMS": "1",
            "enrolments-INITIAL_FORMS": "0",
            "enrolments-0-course": course.pk,
            "enrolments-0-status": "nominated",
            "enrolments-0-status_reason": "",
            "enrolments-0-pre_test_score": "41",
            "enrolments-0-post_test_score": "",
        },
    )

    assert response.status_code == 302
    dilan = Participant.objects.get(email="dilan.rashid@example.org")
    assert (dilan.first_name, dilan.phone) == ("Dilan", "+9647509124478")
    assert dilan.consent_date is not None
    enrolment = dilan.enrolments.get()
    assert (enrolment.course, enrolment.pre_test_score) == (course, 41)
    assert response.url == url(Participant, "changelist")


def test_an_attendance_day_outside_the_course_is_refused_with_a_message(admin_client, world):
    enrolment = world["enrolment"]
    before = enrolment.attendance.count()
    page = url(Enrolment, "change", enrolment.pk)

    response = admin_client.post(
        page,
        {
            "status": "attended",
            "status_reason": "",
            "pre_test_score": "",
            "post_test_score": "",
            "certificate_language": "",
            "attendance-TOTAL_FORMS": "1",
            "attendance-INITIAL_FORMS": "0",
            "attendance-0-enrolment": enrolment.pk,
            "attendance-0-date": "2016-06-30",
            "attendance-0-present": "on",
        },
        follow=True,
    )

    assert response.redirect_chain == [(page, 302)]
    assert "is not a day of the course" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == "confirmed"  # the whole save rolled back, not only the inline
    assert enrolment.attendance.count() == before


def test_only_a_coordinator_may_mark_a_trainee_completed_in_the_admin(client, world, alice):
    alice.is_staff = True
    alice.save()
    alice.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_enrolment", "change_enrolment"])
    )
    client.force_login(alice)
    enrolment = world["enrolment"]

    response = client.post(
        url(Enrolment, "change", enrolment.pk),
        {
            "status": "completed",
            "status_reason": "",
            "pre_test_score": "",
            "post_test_score": "",
            "certificate_language": "",
            "attendance-TOTAL_FORMS": "0",
            "attendance-INITIAL_FORMS": "0",
        },
        follow=True,
    )

    assert "Only a coordinator" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == "confirmed"


def test_a_manual_keeps_its_file_and_version_when_its_title_changes(admin_client, world):
    manual = Manual.objects.get()
    file_name, version = manual.file.name, manual.version

    page = admin_client.get(url(Manual, "change", manual.pk)).content.decode()
    response = admin_client.post(
        url(Manual, "change", manual.pk),
        {
            "title": "Revised title",
            "notes": "typo fixed",
            "withdrawn_at_0": "",
            "withdrawn_at_1": "",
        },
    )

    assert 'type="file"' not in page
    assert response.status_code == 302
    manual.refresh_from_db()
    assert (manual.title, manual.notes) == ("Revised title", "typo fixed")
    assert (manual.file.name, manual.version) == (file_name, version)


def test_imported_phone_numbers_are_normalised_and_others_refused(db):
    OrganisationFactory(name="Ministry of Interior", acronym="MoI")

    result = import_rows(
        [
            ["Saif", "Al-Dulaimi", "", "M", "MoI", "IQ", "0770 931 2204"],
            ["Omar", "Al-Shammari", "", "M", "MoI", "IQ", "ext. 12"],
        ]
    )

    assert result.has_validation_errors()
    (invalid,) = result.invalid_rows
    assert "is not a phone number" in str(invalid.error_dict["phone"])
    imported = import_rows([["Saif", "Al-Dulaimi", "", "M", "MoI", "IQ", "0770 931 2204"]])
    assert not imported.has_validation_errors()
    assert Participant.objects.get().phone == "+9647709312204"


def test_the_admin_csv_export_neutralises_formulas(admin_client, world):
    ParticipantFactory(first_name="=1+1", last_name="@SUM(A1)", email="formula@example.org")
    formats = [f().get_title() for f in admin.site._registry[Participant].get_export_formats()]
    columns = ParticipantResource().get_export_order()

    response = admin_client.post(
        url(Participant, "export"),
        {
            "format": formats.index("csv"),
            "resource": 0,
            **{f"participantresource_{column}": "on" for column in columns},
        },
    )

    assert response.status_code == 200
    content = response.content.decode("utf-8-sig")
    assert content.splitlines()[0] == ",".join(columns)
    assert "'=1+1,'@SUM(A1)" in content
    assert "\n=1+1" not in content


def test_import_adds_an_e_mail_to_someone_registered_without_one(db):
    ministry = OrganisationFactory(name="Ministry of Interior", acronym="MoI")
    ParticipantFactory(first_name="Omar", last_name="Al-Shammari", email="", organisation=ministry)

    import_rows([["Omar", "Al-Shammari", "omar@example.org", "M", "MoI", "IQ", ""]])

    assert Participant.objects.get().email == "omar@example.org"
