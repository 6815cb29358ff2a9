"""Server-rendered pages. The REST API lives in ``config.api_urls``."""

from django.urls import include, path

from accounts import views as account_views

urlpatterns = [
    path("", account_views.dashboard, name="dashboard"),
    path("accounts/", include("accounts.urls")),
    path("courses/", include("trainings.urls")),
]
