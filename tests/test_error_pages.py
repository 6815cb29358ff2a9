"""The product's own error pages, in the reader's language, also under DEBUG (the demo server)."""

import pytest
from django.conf import settings as django_settings
from django.test import Client

pytestmark = pytest.mark.django_db


def page(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "Page not found"), ("ru", "Страница не найдена"), ("ar", "الصفحة غير موجودة")],
)
def test_unknown_urls_get_the_product_page_in_the_readers_language(
    client, settings, debug, language, heading
):
    settings.DEBUG = debug
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert heading in page(response)
    assert f'<html lang="{language}"' in page(response)
    # Django's developer page lists the URL patterns; the product's page never does.
    assert "URLconf" not in page(response)
    assert "api/v1/" not in page(response)


def test_a_view_raising_not_found_under_debug_gets_the_product_page(client, settings, alice):
    settings.DEBUG = True
    client.force_login(alice)

    response = client.get("/participants/999999/")

    assert response.status_code == 404
    assert "Page not found" in page(response)
    assert "Traceback" not in page(response)
    assert "Raised by" not in page(response)


def test_a_views_own_not_found_page_is_kept_under_debug(client, settings):
    settings.DEBUG = True

    response = client.get("/verify/NO-SUCH-CODE/")

    assert response.status_code == 404
    assert "Page not found" not in page(response)


def test_the_apis_not_found_stays_json_under_debug(client, settings):
    settings.DEBUG = True

    response = client.get("/api/v1/no-such-resource/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("en", "The form has expired"),
        ("ru", "Срок действия формы истёк"),
        ("ar", "انتهت صلاحية النموذج"),
    ],
)
def test_a_failed_csrf_check_gets_the_product_page(language, heading, alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language

    response = client.post("/participants/new/", {"first_name": "Aram"})

    assert response.status_code == 403
    assert heading in page(response)
    assert "CSRF verification failed" not in page(response)


def test_the_server_error_page_speaks_all_three_languages():
    from django.template.loader import render_to_string

    text = render_to_string("500.html")

    assert "Something went wrong" in text
    assert "Произошла ошибка сервера" in text
    assert "حدث خطأ في الخادم" in text
