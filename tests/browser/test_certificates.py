"""A coordinator issues the demo course's certificates from the course page, watches the
progress bar fill as a real worker renders them, and opens a certificate's verification page."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_issues_the_demo_certificates_and_verifies_one(
    page: Page, live_server, worker, screenshot
):
    call_command("seed_demo", force=True, verbosity=0)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("coordinator")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server.url}/courses/")
    page.get_by_role("link", name=re.compile("Erbil")).first.click()
    page.get_by_role("button", name="Issue 19 certificates").click()

    progress = page.locator(".batch-progress__text")
    expect(progress).to_contain_text("19 of 19 issued", timeout=90_000)
    expect(page.get_by_role("link", name="Download all (ZIP)")).to_be_visible(timeout=30_000)
    # Without a reload: the panel's count, each certificate's row, the trainee table's cells.
    panel = page.locator("#certificates")
    expect(panel).to_contain_text("19 issued")
    expect(panel.locator("tbody .badge--valid")).to_have_count(19)
    expect(page.locator("[id^='certificate-cell-'] a[href^='/verify/']")).to_have_count(19)
    screenshot(page, "course-certificates-issued")

    # Revoke one, through its confirmation page, with the reason.
    panel.get_by_role("link", name=re.compile("^Revoke")).first.click()
    page.get_by_label("Reason").fill("Issued to the wrong person")
    page.get_by_role("button", name="Revoke the certificate").click()
    expect(page.locator("#certificates tbody .badge--revoked")).to_have_count(1)
    expect(page.locator("#certificates")).to_contain_text("18 issued")

    page.locator("[id^='certificate-cell-'] a[href^='/verify/']").first.click()
    expect(page.get_by_text("This certificate is valid.")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("Training of Trainers")
    screenshot(page, "verify-valid")
