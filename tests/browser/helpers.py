"""What several browser tests do the same way."""

from django.conf import settings
from playwright.sync_api import Page

DEMO_PASSWORD = "demo"  # the demo logins' published password (README)


def sign_in(
    page: Page, base: str, username: str, password: str = DEMO_PASSWORD, language: str = ""
) -> None:
    """Sign in through the real form (by field ids: the labels change with the language), in
    ``language`` when given, and wait until the form has let the user through."""
    page.context.clear_cookies()
    if language:
        page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
        )
    page.goto(f"{base}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
