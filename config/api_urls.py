"""Every REST resource under /api/v1/. Paths here are a contract (DESIGN.md): keep them stable.

URL names live in the ``api`` namespace (``reverse("api:course-detail", ...)``) so they never
clash with the pages' names.
"""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from certificates.api import CertificateBatchViewSet, CertificateViewSet, VerifyView
from core.api import TokenView, api_not_found
from experts.api import ExpertAssignmentViewSet, ExpertViewSet
from participants.api import (
    AttendanceViewSet,
    EnrolmentViewSet,
    OrganisationViewSet,
    ParticipantViewSet,
    TeachBackViewSet,
)
from trainings.api import (
    CourseSessionViewSet,
    CourseViewSet,
    ManualAttachmentViewSet,
    ManualBundleViewSet,
    ManualDownloadViewSet,
    ManualViewSet,
    ProgrammeViewSet,
    ThematicModuleViewSet,
)

app_name = "api"

router = SimpleRouter()
router.register("programmes", ProgrammeViewSet, basename="programme")
router.register("modules", ThematicModuleViewSet, basename="module")
router.register("manuals", ManualViewSet, basename="manual")
router.register("manual-attachments", ManualAttachmentViewSet, basename="manualattachment")
router.register("manual-downloads", ManualDownloadViewSet, basename="manualdownload")
router.register("manual-bundles", ManualBundleViewSet, basename="manualbundle")
router.register("courses", CourseViewSet, basename="course")
router.register("sessions", CourseSessionViewSet, basename="session")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("participants", ParticipantViewSet, basename="participant")
router.register("enrolments", EnrolmentViewSet, basename="enrolment")
router.register("attendance", AttendanceViewSet, basename="attendance")
router.register("teachbacks", TeachBackViewSet, basename="teachback")
router.register("experts", ExpertViewSet, basename="expert")
router.register("expert-assignments", ExpertAssignmentViewSet, basename="expertassignment")
router.register("certificates", CertificateViewSet, basename="certificate")
router.register("certificate-batches", CertificateBatchViewSet, basename="certificatebatch")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("verify/<str:code>/", VerifyView.as_view(), name="verify"),
    *router.urls,
    re_path(r"", api_not_found, name="not-found"),
]
