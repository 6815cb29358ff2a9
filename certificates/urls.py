"""Certificate pages: issuing for a course, batch progress, design previews, public verification."""

from django.urls import path

from certificates import views

urlpatterns = [
    path(
        "courses/<int:pk>/certificates/issue/",
        views.issue_for_course,
        name="course-issue-certificates",
    ),
    path(
        "certificates/batches/<int:pk>/progress/",
        views.batch_progress,
        name="batch-progress",
    ),
    path(
        "certificates/designs/preview/",
        views.design_preview,
        name="builtin-design-preview",
    ),
    path(
        "certificates/designs/<int:pk>/preview/",
        views.design_preview,
        name="design-preview",
    ),
    path(
        "courses/<int:pk>/certificates/panel/",
        views.course_panel,
        name="course-certificates-panel",
    ),
    path(
        "certificates/<int:pk>/revoke/",
        views.certificate_revoke,
        name="certificate-revoke",
    ),
    path(
        "certificates/<int:pk>/reissue/",
        views.certificate_reissue,
        name="certificate-reissue",
    ),
    path("verify/", views.verify_form, name="verify-form"),
    path("verify/<str:code>/", views.verify_page, name="verify"),
]
