from django.urls import path

from trainings import views

urlpatterns = [
    path("", views.course_list, name="course-list"),
    path("<int:pk>/", views.course_detail, name="course-detail"),
]
