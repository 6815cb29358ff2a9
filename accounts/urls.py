from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    # POST only (Django's default): a link or an image elsewhere cannot sign anybody out.
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
