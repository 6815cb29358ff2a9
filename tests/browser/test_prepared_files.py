"""In a real browser, under the Content-Security-Policy: a large course file's page says "being
prepared" and turns into its download link by itself (htmx polling, no inline script) once a
worker has built it; the coordinator's re-issue page asks to confirm a change of holder."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from certificates.models import Certificate
from delivery.models import CourseExport
from delivery.services import course_export_build
from tests.factories import CertificateFactory, CourseFactory, EnrolmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def carol_signed_in(page: Page, live_server, carol) -> list[str]:
    carol.set_password(PASSWORD)
    carol.save()
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text[:80])
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("carol")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("main")).to_be_visible()
    return violations


def test_a_large_roster_is_prepared_then_offered_without_a_reload(
    page: Page, live_server, carol_signed_in, settings
):
    settings.EXPORT_SYNC_MAX_CELLS = 10
    course = CourseFactory(start_date=dt.date(2016, 5, 15), end_date=dt.date(2016, 5, 18))
    EnrolmentFactory.create_batch(2, course=course)

    page.goto(f"{live_server.url}/courses/{course.pk}/exports/roster/")
    expect(page.locator("main")).to_contain_text("being prepared")

    course_export_build(export_id=CourseExport.objects.get().pk)  # the worker's part

    expect(page.get_by_role("link", name="Download")).to_be_visible(timeout=8_000)
    assert carol_signed_in == []


def test_the_reissue_page_asks_to_confirm_a_change_of_holder(
    page: Page, live_server, carol_signed_in
):
    certificate = CertificateFactory(
        enrolment__participant__first_name="Layla",
        enrolment__participant__last_name="Karimi",
        enrolment__participant__native_name="",
        snapshot={"holder": {"name": "Ahmed Al-Saadi", "native_name": ""}},
    )

    page.goto(f"{live_server.url}/certificates/{certificate.pk}/reissue/")
    expect(page.locator("#holder-change")).to_contain_text(
        "Issued to Ahmed Al-Saadi, now Layla Karimi"
    )
    page.get_by_label("Reason").fill("Records merged: the certificate is Layla's")
    page.get_by_label("The holder changed").check()
    page.get_by_role("button", name="Re-issue").click()

    expect(page.locator(".messages")).to_contain_text("is superseded by")
    assert Certificate.objects.get(pk=certificate.pk).status == "superseded"
    assert carol_signed_in == []
