"""This app's REST routes, included under /api/v1/ (namespace ``api``) by ``config.api_urls``.

``participants`` here holds only the personal-data actions of the participant resource (the
resource itself is registered by ``participants``); the same basename keeps the URL names."""

from rest_framework.routers import SimpleRouter

from privacy import api

router = SimpleRouter()
router.register("participants", api.ParticipantPrivacyViewSet, basename="participant")

urlpatterns = router.urls
