"""Every REST resource under /api/v1/. Paths here are a contract (DESIGN.md): keep them stable."""

from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
]
