"""This app's REST routes, included under /api/v1/ (namespace ``api``) by ``config.api_urls``."""

from rest_framework.routers import SimpleRouter

from experts import api

router = SimpleRouter()
router.register("experts", api.ExpertViewSet, basename="expert")
router.register("expert-assignments", api.ExpertAssignmentViewSet, basename="expertassignment")

urlpatterns = router.urls
