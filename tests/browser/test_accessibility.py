"""axe-core (WCAG 2.0/2.1 A and AA) over the pages each role uses, on the demo data, in English
and Arabic: no serious or critical violation anywhere.

The coordinator reaches every page; the project team and trainers are audited where their
pages differ (dashboards, a trainer's view of a course), which keeps the run near a minute."""

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from playwright.sync_api import Page

from certificates.models import Certificate
from delivery.models import CourseExport
from experts.models import Expert
from participants.models import Participant
from tests.browser.helpers import sign_in
from trainings.models import Course

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pages_of(role: str) -> list[str]:
    erbil = Course.objects.get(code="ERB")
    trainee = Participant.objects.filter(enrolments__course=erbil).order_by("pk").first()
    expert = Expert.objects.order_by("pk").first()
    course_pages = [
        f"/courses/{erbil.pk}/",
        f"/courses/{erbil.pk}/trainees/",
        f"/courses/{erbil.pk}/attendance/",
        f"/courses/{erbil.pk}/completion/",
    ]
    closing = [f"/courses/{erbil.pk}/close/"]
    # A certificate's re-issue page, and a large roster "being prepared" for the coordinator.
    certificate = Certificate.objects.filter(enrolment__course=erbil, status="valid").first()
    reissue = [f"/certificates/{certificate.pk}/reissue/"] if certificate else []
    prepared, _ = CourseExport.objects.get_or_create(
        course=erbil,
        export="roster",
        fmt="xlsx",
        requested_by=User.objects.get(username="coordinator"),
    )
    if role == "trainer":  # what differs for a trainer: their dashboard, a course they teach
        return ["/", f"/courses/{erbil.pk}/"]
    if role == "team":
        return ["/"]
    return [
        "/",
        "/courses/",
        "/library/",
        *course_pages,
        *closing,
        *reissue,
        f"/exports/{prepared.pk}/",
        "/participants/",
        f"/participants/{trainee.pk}/",
        f"/participants/{trainee.pk}/edit/",
        f"/participants/{trainee.pk}/personal-data/",
        "/participants/new/",
        "/participants/import/",
        "/experts/",
        f"/experts/{expert.pk}/",
        "/library/downloads/",
    ]


def test_every_page_of_every_role_passes_axe_in_english_and_arabic(page: Page, live_server, axe):
    call_command("seed_demo", force=True, verbosity=0)
    failures: dict[str, list[str]] = {}
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    failures["/accounts/login/"] = axe(page)
    page.goto(f"{base}/verify/")
    failures["/verify/"] = axe(page)

    for role in ("coordinator", "team", "trainer"):
        sign_in(page, base, role)
        for language in ("en", "ar"):
            page.context.add_cookies(
                [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
            )
            for path in pages_of(role):
                response = page.goto(base + path)
                assert response is not None and response.status == 200, (role, path)
                assert page.locator("html").get_attribute("lang") == language
                failures[f"{role} {language} {path}"] = axe(page)

    assert {where: found for where, found in failures.items() if found} == {}
