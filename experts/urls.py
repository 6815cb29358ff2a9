from django.urls import path

from experts import views

urlpatterns = [
    path("experts/", views.expert_list, name="expert-list"),
    path("experts/<int:pk>/", views.expert_detail, name="expert-detail"),
    path("experts/<int:pk>/assign/", views.expert_assign, name="expert-assign"),
    path("experts/<int:pk>/login/", views.expert_grant_login, name="expert-grant-login"),
    path(
        "experts/set-password/<uidb64>/<token>/",
        views.SetPasswordView.as_view(),
        name="expert-set-password",
    ),
]
