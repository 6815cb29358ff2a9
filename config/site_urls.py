"""Server-rendered pages. The REST API lives in ``config.api_urls``."""

from django.urls import include, path

from accounts import views as account_views
from certificates import views as certificate_views

urlpatterns = [
    path("", account_views.dashboard, name="dashboard"),
    path("accounts/", include("accounts.urls")),
    path("courses/", include("trainings.urls")),
    path(
        "courses/<int:pk>/certificates/issue/",
        certificate_views.issue_for_course,
        name="course-issue-certificates",
    ),
    path(
        "certificates/batches/<int:pk>/progress/",
        certificate_views.batch_progress,
        name="batch-progress",
    ),
    path(
        "certificates/designs/preview/",
        certificate_views.design_preview,
        name="builtin-design-preview",
    ),
    path(
        "certificates/designs/<int:pk>/preview/",
        certificate_views.design_preview,
        name="design-preview",
    ),
    path("verify/", certificate_views.verify_form, name="verify-form"),
    path("verify/<str:code>/", certificate_views.verify_page, name="verify"),
]
