from django.urls import path

from participants import views

urlpatterns = [
    path("", views.participant_list, name="participant-list"),
    path("new/", views.participant_new, name="participant-new"),
    path("duplicates/", views.duplicate_warnings, name="participant-duplicates"),
    path("import/", views.import_page, name="participant-import"),
    path("import/confirm/", views.import_confirm, name="participant-import-confirm"),
    path(
        "import/template.<str:fmt>",
        views.import_template,
        name="participant-import-template",
    ),
    path(
        "import/<slug:token>/errors.xlsx",
        views.import_error_report,
        name="participant-import-errors",
    ),
    path("<int:pk>/", views.participant_detail, name="participant-detail"),
    path("<int:pk>/edit/", views.participant_edit, name="participant-edit"),
    path("<int:pk>/merge/", views.participant_merge, name="participant-merge"),
]
