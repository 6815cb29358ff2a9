"""This app's REST routes, included under /api/v1/ (namespace ``api``) by ``config.api_urls``.

``courses`` and ``enrolments`` here hold only this app's actions on those resources (the
resources themselves are registered by ``participants``); the same basenames keep the URL names
(``api:course-completion``, ``api:enrolment-override``)."""

from rest_framework.routers import SimpleRouter

from delivery import api

router = SimpleRouter()
router.register("courses", api.CourseDeliveryViewSet, basename="course")
router.register("enrolments", api.EnrolmentDeliveryViewSet, basename="enrolment")
router.register("attendance", api.AttendanceViewSet, basename="attendance")
router.register("teachbacks", api.TeachBackViewSet, basename="teachback")
router.register("course-exports", api.CourseExportViewSet, basename="courseexport")

urlpatterns = router.urls
