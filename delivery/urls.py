"""A course's record pages, under /courses/<pk>/ next to the course page: trainees and
statuses, attendance, completion, and the course's files."""

from django.urls import path

from delivery import views

urlpatterns = [
    path("courses/<int:pk>/attendance/", views.attendance_page, name="course-attendance"),
    path(
        "courses/<int:pk>/attendance/mark/",
        views.attendance_mark,
        name="course-attendance-mark",
    ),
    path(
        "courses/<int:pk>/attendance/day/",
        views.attendance_mark_day,
        name="course-attendance-day",
    ),
    path("courses/<int:pk>/trainees/", views.trainees_page, name="course-trainees"),
    path(
        "courses/<int:pk>/trainees/search/",
        views.trainees_search,
        name="course-trainees-search",
    ),
    path("courses/<int:pk>/trainees/add/", views.trainees_add, name="course-trainees-add"),
    path(
        "courses/<int:pk>/trainees/status/",
        views.trainees_bulk_status,
        name="course-trainees-status",
    ),
    path("courses/<int:pk>/completion/", views.completion_page, name="course-completion"),
    path("courses/<int:pk>/close/", views.course_close_view, name="course-close"),
    path("courses/<int:pk>/reopen/", views.course_reopen_view, name="course-reopen"),
    path(
        "courses/<int:pk>/completion/<int:enrolment>/override/",
        views.enrolment_override_view,
        name="enrolment-override",
    ),
    path(
        "courses/<int:pk>/completion/<int:enrolment>/scores/",
        views.enrolment_scores_view,
        name="enrolment-scores",
    ),
    path(
        "courses/<int:pk>/completion/<int:enrolment>/teachback/",
        views.teachback_save_view,
        name="teachback-save",
    ),
    path(
        "courses/<int:pk>/teachbacks/<int:teachback>/file/",
        views.teachback_file,
        name="teachback-file",
    ),
    path("courses/<int:pk>/exports/roster/", views.roster, name="course-export-roster"),
    path(
        "courses/<int:pk>/exports/attendance-sheet/",
        views.attendance_sheet,
        name="course-export-attendance-sheet",
    ),
    path(
        "courses/<int:pk>/exports/sign-in-sheet/",
        views.sign_in_sheet,
        name="course-export-sign-in-sheet",
    ),
    path("exports/<int:pk>/", views.prepared_file, name="course-export-prepared"),
]
