"""This app's REST routes, included under /api/v1/ (namespace ``api``) by ``config.api_urls``."""

from rest_framework.routers import SimpleRouter

from participants import api

router = SimpleRouter()
router.register("courses", api.CourseViewSet, basename="course")
router.register("organisations", api.OrganisationViewSet, basename="organisation")
router.register("participants", api.ParticipantViewSet, basename="participant")
router.register("enrolments", api.EnrolmentViewSet, basename="enrolment")

urlpatterns = router.urls
