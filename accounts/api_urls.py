"""This app's REST routes, included under /api/v1/ (namespace ``api``) by ``config.api_urls``."""

from django.urls import path

from accounts.api import TokenView

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
]
