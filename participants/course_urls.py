"""Pages of a course's records, under /courses/<pk>/ (next to the course pages)."""

from django.urls import path

from participants import course_views as views

urlpatterns = [
    path("<int:pk>/attendance/", views.attendance_page, name="course-attendance"),
    path("<int:pk>/attendance/mark/", views.attendance_mark, name="course-attendance-mark"),
    path("<int:pk>/attendance/day/", views.attendance_mark_day, name="course-attendance-day"),
    path("<int:pk>/trainees/", views.trainees_page, name="course-trainees"),
    path("<int:pk>/trainees/status/", views.trainees_bulk_status, name="course-trainees-status"),
    path("<int:pk>/completion/", views.completion_page, name="course-completion"),
    path("<int:pk>/close/", views.course_close_view, name="course-close"),
    path(
        "<int:pk>/completion/<int:enrolment>/override/",
        views.enrolment_override_view,
        name="enrolment-override",
    ),
    path(
        "<int:pk>/completion/<int:enrolment>/scores/",
        views.enrolment_scores_view,
        name="enrolment-scores",
    ),
    path(
        "<int:pk>/completion/<int:enrolment>/teachback/",
        views.teachback_save_view,
        name="teachback-save",
    ),
    path("<int:pk>/teachbacks/<int:teachback>/file/", views.teachback_file, name="teachback-file"),
]
