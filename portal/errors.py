"""The product's own error pages, also where Django would show its developer pages.

``handler404``/``handler403`` already render ``404.html``/``403.html`` in the reader's language
when ``DEBUG`` is off. Two gaps remain, both closed here:

* a failed CSRF check renders Django's English page unless ``CSRF_FAILURE_VIEW`` names a view
  that renders with the request (so the language, the signed-in user and the layout are known);
* with ``DEBUG`` on (the demo server of ``make run``), an unknown URL shows Django's technical
  404 page, which lists every URL pattern. The demo is shown to the people who will use the
  product, so :class:`ProductNotFoundMiddleware` serves the product's page instead.
  Server errors keep Django's technical page under ``DEBUG``: it is what a developer needs.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.defaults import page_not_found


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token: usually a page left open past a sign-out."""
    return render(request, "403_csrf.html", status=403)


class ProductNotFoundMiddleware:
    """Under ``DEBUG``, serve the product's 404 page instead of Django's developer pages.

    Two cases: a URL that matches no pattern (the request never got a ``resolver_match``), and
    a view that raised ``Http404``. A view that answers 404 with a page of its own (the public
    verification page for an unknown code) is left alone, and so are the API's JSON 404s. It
    sits inside the locale and authentication middleware, so the page speaks the reader's
    language and knows who is signed in.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and getattr(request, "resolver_match", None) is None
        ):
            return page_not_found(request, Http404())
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if settings.DEBUG and isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None
