"""This app's REST routes, included under /api/v1/ (namespace ``api``) by ``config.api_urls``."""

from rest_framework.routers import SimpleRouter

from trainings import api

router = SimpleRouter()
router.register("programmes", api.ProgrammeViewSet, basename="programme")
router.register("modules", api.ThematicModuleViewSet, basename="module")
router.register("manuals", api.ManualViewSet, basename="manual")
router.register("manual-attachments", api.ManualAttachmentViewSet, basename="manualattachment")
router.register("manual-downloads", api.ManualDownloadViewSet, basename="manualdownload")
router.register("manual-bundles", api.ManualBundleViewSet, basename="manualbundle")
router.register("sessions", api.CourseSessionViewSet, basename="session")

urlpatterns = router.urls
