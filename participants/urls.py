"""The trainee pages, a course's record pages (under /courses/<pk>/) and personal data."""

from django.urls import path

from participants import course_views, export_views, privacy_views, views

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
    path("participants/<int:pk>/merge/", views.participant_merge, name="participant-merge"),
    # A course's records: trainees and statuses, attendance, completion, exports.
    path("courses/<int:pk>/attendance/", course_views.attendance_page, name="course-attendance"),
    path(
        "courses/<int:pk>/attendance/mark/",
        course_views.attendance_mark,
        name="course-attendance-mark",
    ),
    path(
        "courses/<int:pk>/attendance/day/",
        course_views.attendance_mark_day,
        name="course-attendance-day",
    ),
    path("courses/<int:pk>/trainees/", course_views.trainees_page, name="course-trainees"),
    path(
        "courses/<int:pk>/trainees/status/",
        course_views.trainees_bulk_status,
        name="course-trainees-status",
    ),
    path("courses/<int:pk>/completion/", course_views.completion_page, name="course-completion"),
    path("courses/<int:pk>/close/", course_views.course_close_view, name="course-close"),
    path(
        "courses/<int:pk>/completion/<int:enrolment>/override/",
        course_views.enrolment_override_view,
        name="enrolment-override",
    ),
    path(
        "courses/<int:pk>/completion/<int:enrolment>/scores/",
        course_views.enrolment_scores_view,
        name="enrolment-scores",
    ),
    path(
        "courses/<int:pk>/completion/<int:enrolment>/teachback/",
        course_views.teachback_save_view,
        name="teachback-save",
    ),
    path(
        "courses/<int:pk>/teachbacks/<int:teachback>/file/",
        course_views.teachback_file,
        name="teachback-file",
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
    # Personal data and erasure.
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
]
