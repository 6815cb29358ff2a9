"""This app's REST routes, included under /api/v1/ (namespace ``api``) by ``config.api_urls``.

``courses`` here holds only the certificate actions of the course resource (the resource
itself is registered by ``participants``); the same basename keeps the URL names
(``api:course-issue-certificates``)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from certificates import api

router = SimpleRouter()
router.register("certificates", api.CertificateViewSet, basename="certificate")
router.register("certificate-batches", api.CertificateBatchViewSet, basename="certificatebatch")
router.register("courses", api.CourseCertificatesViewSet, basename="course")

urlpatterns = [
    path("verify/<str:code>/", api.VerifyView.as_view(), name="verify"),
    *router.urls,
]
