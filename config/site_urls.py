"""Server-rendered pages: each app owns its page URLs (``<app>/urls.py``, full paths); this
module only includes them. The REST API lives in ``config.api_urls``."""

from django.urls import include, path

urlpatterns = [
    path("", include("portal.urls")),
    path("", include("accounts.urls")),
    path("", include("trainings.urls")),
    path("", include("participants.urls")),
    path("", include("experts.urls")),
    path("", include("certificates.urls")),
    path("", include("delivery.urls")),
    path("", include("privacy.urls")),
]
