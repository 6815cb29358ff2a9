"""Server-rendered pages. The REST API lives in ``config.api_urls``."""

from django.urls import include, path

from accounts import views as account_views
from certificates import views as certificate_views
from participants import export_views, privacy_views
from trainings import library_views

urlpatterns = [
    path("", account_views.dashboard, name="dashboard"),
    path("accounts/", include("accounts.urls")),
    path("courses/", include("trainings.urls")),
    path("courses/", include("participants.course_urls")),
    path("experts/", include("experts.urls")),
    path("participants/", include("participants.urls")),
    path(
        "courses/<int:pk>/certificates/issue/",
        certificate_views.issue_for_course,
        name="course-issue-certificates",
    ),
    path("courses/<int:pk>/exports/roster/", export_views.roster, name="course-export-roster"),
    path(
        "courses/<int:pk>/exports/attendance-sheet/",
        export_views.attendance_sheet,
        name="course-export-attendance-sheet",
    ),
    path(
        "courses/<int:pk>/exports/sign-in-sheet/",
        export_views.sign_in_sheet,
        name="course-export-sign-in-sheet",
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
    path("library/", library_views.library_page, name="library"),
    path("library/upload/", library_views.manual_upload, name="library-upload"),
    path("library/downloads/", library_views.download_log, name="library-downloads"),
    path(
        "library/modules/<int:module>/<str:language>/",
        library_views.manual_history,
        name="library-history",
    ),
    path(
        "library/manuals/<int:pk>/download/",
        library_views.manual_download,
        name="library-manual-download",
    ),
    path(
        "library/manuals/<int:pk>/withdraw/",
        library_views.manual_withdraw,
        name="library-manual-withdraw",
    ),
    path(
        "library/manuals/<int:pk>/restore/",
        library_views.manual_restore,
        name="library-manual-restore",
    ),
    path(
        "library/manuals/<int:pk>/attachments/",
        library_views.attachment_upload,
        name="library-attachment-upload",
    ),
    path(
        "library/attachments/<int:pk>/download/",
        library_views.attachment_download,
        name="library-attachment-download",
    ),
    path("library/bundles/", library_views.bundle_request, name="library-bundle-request"),
    path(
        "library/bundles/<int:pk>/progress/",
        library_views.bundle_progress,
        name="library-bundle-progress",
    ),
    path(
        "library/bundles/<int:pk>/download/",
        library_views.bundle_download,
        name="library-bundle-download",
    ),
    path(
        "participants/<int:pk>/personal-data/",
        privacy_views.personal_data,
        name="participant-personal-data",
    ),
    path(
        "participants/<int:pk>/personal-data/download/",
        privacy_views.personal_data_download,
        name="participant-personal-data-download",
    ),
    path(
        "participants/<int:pk>/personal-data/erase/",
        privacy_views.erase,
        name="participant-erase",
    ),
    path("verify/", certificate_views.verify_form, name="verify-form"),
    path("verify/<str:code>/", certificate_views.verify_page, name="verify"),
]
