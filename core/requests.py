"""Request types for annotations: Django's ``HttpRequest`` with what this site's middleware adds."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request after django-htmx's middleware (every request of the site): ``request.htmx``
    says whether htmx sent it. Never instantiated; views annotate their ``request`` with it."""

    htmx: HtmxDetails
