"""``manage.py seed_demo``: idempotent, and shaped like the Erbil Training of Trainers."""

import hashlib
import io
import re
import zipfile
from collections import Counter

import pypdf
import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core import serializers
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from experts.models import Expert, ExpertAssignment
from participants.models import Enrolment, Organisation, Participant
from trainings.models import Course, CourseSession, Manual, ThematicModule

pytestmark = pytest.mark.django_db

SEEDED_APPS = ("auth", "trainings", "participants", "experts", "certificates")
ARABIC = re.compile(r"[\u0600-\u06FF]")
CYRILLIC = re.compile(r"[\u0400-\u04FF]")


def seed() -> str:
    out = io.StringIO()
    # Tests run with DEBUG off, which the command treats as production unless forced.
    call_command("seed_demo", force=True, stdout=out)
    return out.getvalue()


def fingerprint() -> dict[str, str]:
    """Every row of every model the command touches, serialised with all its fields (including
    updated_at and m2m links): equal fingerprints mean nothing was written."""
    return {
        model._meta.label: serializers.serialize("json", model._default_manager.order_by("pk"))
        for model in apps.get_models()
        if model._meta.app_label in SEEDED_APPS
    }


def test_running_it_twice_changes_nothing():
    seed()
    before = fingerprint()

    with CaptureQueriesContext(connection) as queries:
        output = seed()

    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert fingerprint() == before
    assert "nothing changed" in output


def test_a_second_run_repairs_edited_rows_and_keeps_changed_passwords():
    seed()
    ahmed = Participant.objects.get(last_name="Al-Saadi")
    Participant.objects.filter(pk=ahmed.pk).update(position="Typo")
    coordinator = User.objects.get(username="coordinator")
    coordinator.set_password("a much better password")
    coordinator.save()

    output = seed()

    ahmed.refresh_from_db()
    assert ahmed.position == "Director of Legal Affairs"
    assert "Updated: 1 participants." in output
    assert User.objects.get(username="coordinator").check_password("a much better password")


def test_it_refuses_a_production_database_unless_forced(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", stdout=io.StringIO())

    assert not Course.objects.exists()
    assert not User.objects.filter(username="admin").exists()


def test_the_erbil_course_has_22_trainees_and_most_but_not_all_completed():
    seed()
    erbil = Course.objects.get(code="ERB")

    enrolments = erbil.enrolments.select_related("participant")
    statuses = Counter(e.status for e in enrolments)

    assert (erbil.kind, erbil.status, erbil.city, str(erbil.country)) == (
        "tot",
        "completed",
        "Erbil",
        "IQ",
    )
    assert erbil.days == 10
    assert enrolments.count() == 22
    assert statuses == {"completed": 19, "failed": 2, "withdrawn": 1}
    assert all(e.status_reason_text for e in enrolments if e.status != "completed")
    # The rule's reasons are codes, put into words in the reader's language; a withdrawal's
    # reason is a person's words.
    failed = [e for e in enrolments if e.status == "failed"]
    assert all(e.status_reason_codes and not e.status_reason for e in failed)
    assert {c["code"] for e in failed for c in e.status_reason_codes} <= {
        "attendance_short",
        "post_test_below",
    }
    assert all(e.attendance.count() == 10 for e in enrolments)
    women = sum(e.participant.gender == "female" for e in enrolments)
    assert 6 <= women <= 11
    assert all(ARABIC.search(e.participant.native_name) for e in enrolments)
    assert 0 < sum(not e.participant.email for e in enrolments) < 22


def test_the_completed_trainees_met_the_completion_rule():
    seed()
    erbil = Course.objects.get(code="ERB")

    for enrolment in Enrolment.objects.filter(course=erbil, status="completed"):
        present = enrolment.attendance.filter(present=True).count()
        assert present >= erbil.min_attendance_share * erbil.days
        assert enrolment.post_test_score >= erbil.min_post_test_score
    failed_on_score = Enrolment.objects.get(course=erbil, participant__last_name="Al-Maliki")
    assert failed_on_score.post_test_score == 52


def test_the_modules_are_translated_and_scheduled():
    seed()
    erbil = Course.objects.get(code="ERB")

    modules = ThematicModule.objects.all()

    assert modules.count() >= 8
    assert erbil.modules.count() >= 8
    for module in modules:
        assert module.title_en and module.title_ru and module.title_ar
        assert ARABIC.search(module.title_ar) and ARABIC.search(module.description_ar)
        assert CYRILLIC.search(module.description_ru)
        assert 3 <= len(module.objectives) <= 4
    sessions = CourseSession.objects.filter(course=erbil)
    assert sessions.count() == 20
    assert {s.date for s in sessions} == {erbil.start_date.replace(day=d) for d in range(15, 25)}


def test_experts_come_from_the_seven_countries_and_teach_their_modules():
    seed()
    erbil = Course.objects.get(code="ERB")

    countries = {str(country) for country in Expert.objects.values_list("country", flat=True)}

    assert countries == {"AR", "DE", "IT", "IE", "SK", "RS", "GB"}
    assert ExpertAssignment.objects.filter(course=erbil, session=None, role="lead").count() == 1
    for assignment in ExpertAssignment.objects.filter(session__module__isnull=False).exclude(
        session__module__code="national-framework"
    ):
        assert assignment.expert.modules.filter(pk=assignment.session.module_id).exists()


def test_the_cascade_course_descends_from_erbil_and_is_run_by_its_graduates():
    seed()
    erbil, baghdad = Course.objects.get(code="ERB"), Course.objects.get(code="BGD")

    trainers = Participant.objects.filter(taught_sessions__course=baghdad).distinct()

    assert (baghdad.kind, baghdad.parent) == ("cascade", erbil)
    assert baghdad.start_date > erbil.end_date
    assert trainers.count() == 2
    assert all(t.enrolments.get(course=erbil).status == "completed" for t in trainers)
    assert baghdad.enrolments.count() == 12
    assert not baghdad.enrolments.filter(participant__in=trainers).exists()
    assert Course.objects.filter(status="open").exists()


def test_organisations_name_their_government():
    seed()

    krg_interior = Organisation.objects.get(acronym="MoI-KRG")

    assert str(krg_interior) == "Ministry of Interior — Kurdistan Regional Government"
    assert ARABIC.search(krg_interior.native_name)
    assert Organisation.objects.get(acronym="MoMD").parent.name == "Federal Government of Iraq"
    assert Organisation.objects.get(acronym="ICMPD").kind == "international"


def test_demo_users_log_in_with_the_demo_password_and_have_their_roles(client):
    seed()

    for username, group in (
        ("coordinator", "coordinator"),
        ("team", "project team"),
        ("trainer", "trainer"),
    ):
        user = User.objects.get(username=username)
        assert client.login(username=username, password="demo")
        assert list(user.groups.values_list("name", flat=True)) == [group]
    admin_user = User.objects.get(username="admin")
    assert client.login(username="admin", password="demo")
    assert admin_user.is_superuser and admin_user.is_staff
    trainer = User.objects.get(username="trainer")
    assert trainer.expert.modules.exists()


def test_the_output_lists_the_demo_logins():
    output = seed()

    for username in ("admin", "coordinator", "team", "trainer"):
        assert re.search(rf"^\s+{username}\s+demo\s+", output, re.MULTILINE)


def test_each_core_module_has_a_downloadable_english_manual():
    seed()

    for manual in Manual.objects.filter(language="en"):
        data = manual.file.open("rb").read()
        assert hashlib.sha256(data).hexdigest() == manual.sha256
        assert manual.size == len(data)
        page = pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
        assert manual.module.title_en in page
    assert Manual.objects.filter(language="en").values("module").distinct().count() == 8
    versions = Manual.objects.filter(module__code="legal-migration", language="en").values_list(
        "version"
    )
    assert sorted(v for (v,) in versions) == [1, 2]


def test_the_core_manuals_also_exist_in_russian_and_arabic_as_word_documents():
    seed()

    for language in ("ru", "ar"):
        manuals = Manual.objects.filter(language=language).select_related("module")
        assert manuals.count() == 8
        for manual in manuals:
            assert manual.content_type.endswith("wordprocessingml.document")
            assert manual.original_name.endswith(".docx")
            with manual.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
                text = archive.read("word/document.xml").decode()
            assert getattr(manual.module, f"title_{language}") in text
    arabic = Manual.objects.filter(language="ar").first()
    with arabic.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        assert "<w:bidi/>" in archive.read("word/document.xml").decode()


def test_demo_organisations_have_acronyms_and_arabic_and_russian_names():
    seed()

    for organisation in Organisation.objects.all():
        assert organisation.acronym, organisation
        assert ARABIC.search(organisation.name_ar), organisation
        assert CYRILLIC.search(organisation.name_ru), organisation
        assert organisation.match_key


def test_demo_phone_numbers_are_stored_in_e164():
    seed()

    phones = [p for p in Participant.objects.values_list("phone", flat=True) if p]
    assert phones
    assert all(re.fullmatch(r"\+[1-9]\d{7,14}", phone) for phone in phones), phones
