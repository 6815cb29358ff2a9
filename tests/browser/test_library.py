"""A coordinator uploads a manual through the library's form (and is told clearly why a
renamed executable is refused), a trainer finds it in the library and downloads it, and the
coordinator sees that download in the log."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import ThematicModuleFactory
from trainings.models import Manual, ManualDownload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
PDF = b"%PDF-1.7\n% Legal migration, trainer's manual (English)\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()


def fill_upload(page: Page, module_label: str, name: str, data: bytes, mime: str) -> None:
    form = page.locator("form.library-upload")
    form.get_by_label("Module").select_option(label=module_label)
    form.get_by_label("Language").select_option(label="English")
    form.get_by_label("Title").fill("Legal migration — trainer's manual")
    form.get_by_label("File").set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}]
    )
    form.get_by_role("button", name="Upload").click()


def test_a_coordinator_uploads_and_a_trainer_downloads_a_manual(
    page: Page, live_server, carol, bob, screenshot
):
    ThematicModuleFactory(code="legal-migration", title_en="Legal migration")

    log_in(page, live_server.url, "carol")
    page.get_by_role("link", name="Library").click()
    page.get_by_role("link", name="Upload a manual").click()

    fill_upload(page, "Legal migration", "manual.pdf", ELF, "application/pdf")
    expect(page.get_by_text("This file is not a PDF, DOCX, PPTX, XLSX, ODT or ZIP")).to_be_visible()
    assert not Manual.objects.exists()

    fill_upload(page, "Legal migration", "../../etc/Legal migration EN.pdf", PDF, "application/pdf")
    expect(page.get_by_text("uploaded as version 1")).to_be_visible()
    screenshot(page, "library-uploaded")
    log_out(page)

    log_in(page, live_server.url, "bob")
    page.get_by_role("link", name="Library").click()
    card = page.locator(".library-card", has_text="Legal migration")
    link = card.get_by_role("link", name=re.compile("trainer's manual"))
    expect(link).to_be_visible()
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "Legal migration EN.pdf"
    with open(download.path(), "rb") as saved:
        assert saved.read() == PDF
    assert ManualDownload.objects.filter(user=bob).count() == 1
    log_out(page)

    log_in(page, live_server.url, "carol")
    page.goto(f"{live_server.url}/library/downloads/")
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("bob")
    expect(row).to_contain_text("Legal migration — trainer's manual")
    screenshot(page, "library-download-log")
