"""The personal-data page of a trainee, its JSON download and erasure."""

from django.urls import path

from privacy import views

urlpatterns = [
    path(
        "participants/<int:pk>/personal-data/",
        views.personal_data,
        name="participant-personal-data",
    ),
    path(
        "participants/<int:pk>/personal-data/download/",
        views.personal_data_download,
        name="participant-personal-data-download",
    ),
    path(
        "participants/<int:pk>/personal-data/erase/",
        views.erase,
        name="participant-erase",
    ),
]
