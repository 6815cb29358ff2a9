"""The trainee pages: list, registration, detail, edit, merge, import, personal data."""

from django.urls import path

from participants import views

urlpatterns = [
    path("participants/", views.participant_list, name="participant-list"),
    path("participants/new/", views.participant_new, name="participant-new"),
    path("participants/duplicates/", views.duplicate_warnings, name="participant-duplicates"),
    path("participants/import/", views.import_page, name="participant-import"),
    path("participants/import/confirm/", views.import_confirm, name="participant-import-confirm"),
    path(
        "participants/import/template.<str:fmt>",
        views.import_template,
        name="participant-import-template",
    ),
    path(
        "participants/import/<slug:token>/errors.xlsx",
        views.import_error_report,
        name="participant-import-errors",
    ),
    path("participants/<int:pk>/", views.participant_detail, name="participant-detail"),
    path("participants/<int:pk>/edit/", views.participant_edit, name="participant-edit"),
    path("participants/<int:pk>/enrol/", views.participant_enrol, name="participant-enrol"),
    path("participants/<int:pk>/merge/", views.participant_merge, name="participant-merge"),
]
