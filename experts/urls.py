from django.urls import path

from experts import views

urlpatterns = [
    path("", views.expert_list, name="expert-list"),
    path("<int:pk>/", views.expert_detail, name="expert-detail"),
    path("<int:pk>/assign/", views.expert_assign, name="expert-assign"),
    path("<int:pk>/login/", views.expert_grant_login, name="expert-grant-login"),
    path(
        "set-password/<uidb64>/<token>/",
        views.SetPasswordView.as_view(),
        name="expert-set-password",
    ),
]
