"""Every REST resource under /api/v1/. Paths here are a contract (DESIGN.md): keep them stable.

Each app owns its routes (``<app>/api_urls.py``); this module only includes them. URL names
live in the ``api`` namespace (``reverse("api:course-detail", ...)``) so they never clash with
the pages' names. Anything else under /api/v1/ answers a JSON 404.
"""

from django.urls import include, path, re_path

from core.api import api_not_found

app_name = "api"

urlpatterns = [
    path("", include("accounts.api_urls")),
    path("", include("trainings.api_urls")),
    path("", include("participants.api_urls")),
    path("", include("experts.api_urls")),
    path("", include("certificates.api_urls")),
    path("", include("delivery.api_urls")),
    path("", include("privacy.api_urls")),
    re_path(r"", api_not_found, name="not-found"),
]
