"""Layout on the screens people use: a 1366 px laptop and a 375 px phone. Nothing is cut off or
wider than the screen; the dashboards' links lead to the product's pages."""

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, username: str, language: str = "en") -> None:
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
    )
    page.goto(f"{base}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("demo")
    page.locator("#id_password").press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def overflowing_tables(page: Page) -> list[str]:
    """Tables whose scroll box hides columns (wider content than the box shows)."""
    return page.eval_on_selector_all(
        ".table-wrap",
        "wraps => wraps.filter(w => w.scrollWidth > w.clientWidth + 1)"
        ".map(w => (w.getAttribute('aria-labelledby') || '') + ': ' + w.scrollWidth + ' > ' + w.clientWidth)",
    )


def page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", force=True, verbosity=0)


def test_the_coordinator_dashboard_shows_whole_tables_at_1366(page: Page, live_server, demo):
    page.set_viewport_size({"width": 1366, "height": 768})
    for language in ("en", "ar", "ru"):
        sign_in(page, live_server.url, "coordinator", language)
        assert overflowing_tables(page) == [], language
        assert page_width(page) <= 1366


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_trainee_list_fits_a_phone(page: Page, live_server, demo, language):
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, live_server.url, "team", language)
    page.goto(f"{live_server.url}/participants/")
    assert page_width(page) <= 375


def test_the_team_dashboard_links_to_the_registration_and_import_pages(
    page: Page, live_server, demo
):
    sign_in(page, live_server.url, "team")
    links = page.locator("#links-heading + ul a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]

    assert "/participants/import/" in hrefs
    assert "/participants/new/" in hrefs
    assert not any(href.startswith(("/api/", "/admin/")) for href in hrefs)
