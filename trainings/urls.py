"""The manual library's pages."""

from django.urls import path

from trainings import library_views

urlpatterns = [
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
]
