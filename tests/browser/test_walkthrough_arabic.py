"""A course run from nominations to certificates, in Arabic, as a project team and a coordinator
would: import a list with one ministry written three ways, add a registered trainee, mark
attendance with the keyboard, try to close early (refused), close (confirmed), issue the
certificates with a real worker and watch the panel count up, revoke one."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from certificates.models import Certificate
from participants.models import Enrolment, Organisation, Participant
from tests.browser.helpers import sign_in
from tests.factories import CourseFactory, OrganisationFactory, ParticipantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
NOMINATIONS = (
    "first_name,last_name,native_name,email,organisation,country\n"
    "Aras,Mahmoud,آراس محمود,,Ministry of Interior — Kurdistan Regional Government,IQ\n"
    "Dilan,Aziz,دیلان عزیز,,MoI-KRG,IQ\n"
    "Shirin,Rasul,شيرين رسول,,وزارة الداخلية - إقليم كوردستان,IQ\n"
)


def test_a_course_from_nominations_to_certificates_in_arabic(
    page: Page, live_server, alice, carol, worker, tmp_path, axe, screenshot
):
    base = live_server.url
    krg = OrganisationFactory(name="Kurdistan Regional Government", acronym="KRG", kind="other")
    moi = OrganisationFactory(
        name="Ministry of Interior", acronym="MoI-KRG", parent=krg,
        name_ar="وزارة الداخلية – إقليم كوردستان",
    )  # fmt: skip
    layla = ParticipantFactory(first_name="Layla", last_name="Hassan", native_name="ليلى حسن")
    today = dt.date.today()
    course = CourseFactory(
        title="ToT Erbil", title_ar="دورة تدريب المدربين — أربيل", languages=["ar"],
        start_date=today - dt.timedelta(days=2), end_date=today, capacity=10,
        min_attendance_share="1.00", min_post_test_score=None, requires_teachback=False,
    )  # fmt: skip
    organisations = Organisation.objects.count()
    nominations = tmp_path / "nominations.csv"
    nominations.write_text(NOMINATIONS, encoding="utf-8")

    # The project team imports the list: the three spellings are the one ministry.
    sign_in(page, base, "alice", password=PASSWORD, language="ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.goto(f"{base}/participants/import/")
    page.locator("input[type=file]").set_input_files(str(nominations))
    page.locator("form:has(input[type=file]) button[type=submit]").click()
    expect(page.locator("tr.import-row--create")).to_have_count(3)
    page.locator("form.import-confirm button[type=submit]").click()
    expect(page).to_have_url(f"{base}/participants/")
    assert Organisation.objects.count() == organisations  # none created
    assert Participant.objects.filter(organisation=moi).count() == 3

    # ... and adds them and a trainee registered earlier to the course, by search as you type.
    page.goto(f"{base}/courses/{course.pk}/trainees/")
    search = page.locator("#add-trainees-q")
    results = page.locator("#add-trainees-results")
    for query, person in [("ليلى", layla), *((p.native_name, p) for p in moi.participants.all())]:
        search.fill(query)
        expect(results.locator(f"#candidate-{person.pk}")).to_be_visible()
        results.locator(f"#candidate-{person.pk}").check()
    page.locator("#add-trainees button[type=submit]").click()
    expect(page.locator("#bulk-status")).to_be_visible()
    assert Enrolment.objects.filter(course=course).count() == 4
    assert axe(page) == []

    # The coordinator tries to close before any attendance is recorded: refused, with reasons.
    sign_in(page, base, "carol", password=PASSWORD, language="ar")
    page.goto(f"{base}/courses/{course.pk}/close/")
    expect(page.locator("#refused-heading")).to_have_text("لا يمكن إغلاق هذه الدورة بعد")
    assert not Enrolment.objects.filter(course=course, status="completed").exists()

    # The team marks the three days with the keyboard (right to left: ArrowLeft moves on).
    sign_in(page, base, "alice", password=PASSWORD, language="ar")
    page.goto(f"{base}/courses/{course.pk}/attendance/")
    enrolments = list(
        course.enrolments.order_by("participant__last_name", "participant__first_name")
    )
    for enrolment in enrolments:
        page.locator(f'[data-key="{enrolment.pk}-{course.start_date:%Y-%m-%d}"]').focus()
        for day in range(3):
            page.keyboard.press("Space")
            if day < 2:
                page.keyboard.press("ArrowLeft")
        expect(page.locator(f"#total-{enrolment.pk}")).to_have_text("3")
    assert axe(page) == []

    # The coordinator closes the course through its preview: four completed.
    sign_in(page, base, "carol", password=PASSWORD, language="ar")
    page.goto(f"{base}/courses/{course.pk}/close/")
    page.get_by_role("button", name="تأكيد: إغلاق الدورة").click()
    page.wait_for_load_state()
    assert Enrolment.objects.filter(course=course, status="completed").count() == 4

    # Certificates: the panel counts up without a reload and ends with the files.
    page.goto(f"{base}/courses/{course.pk}/")
    page.locator(".issue-form button[type=submit]").click()
    panel = page.locator("#certificates")
    expect(panel.locator("tbody .badge--valid")).to_have_count(4, timeout=90_000)
    expect(panel.locator(".batch-progress__files a").first).to_be_visible(timeout=30_000)
    expect(page.locator("[id^='certificate-cell-'] a[href^='/verify/']")).to_have_count(4)
    screenshot(page, "walkthrough-certificates-rtl")

    # Revoke one, with the reason, through its confirmation page.
    panel.locator("a[href*='/revoke/']").first.click()
    page.locator("#revoke-reason").fill("صدرت بالخطأ")
    page.locator(".revoke-form button[type=submit]").click()
    expect(page.locator("#certificates tbody .badge--revoked")).to_have_count(1)
    assert Certificate.objects.filter(status="revoked").count() == 1
    assert axe(page) == []
