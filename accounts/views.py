"""Login, logout and the dashboard: one per role, built from the selectors of each app.

Views only pick what to show; reads live in ``*/selectors.py``. Role checks use
``accounts.roles``: a signed-in user without the role gets 403, a user with no role at all
sees a polite page on the dashboard instead of an error.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.forms import LoginForm
from accounts.roles import COORDINATOR, PROJECT_TEAM, TRAINER, has_role, role_names
from certificates import selectors as certificate_selectors
from experts import selectors as expert_selectors
from participants import selectors as participant_selectors
from trainings import selectors as training_selectors

# The dashboard a user with several roles sees first; superusers hold every role and so land
# on the coordinator's overview.
DASHBOARD_ORDER = (COORDINATOR, PROJECT_TEAM, TRAINER)
DASHBOARD_SLUGS = {COORDINATOR: "coordinator", PROJECT_TEAM: "project-team", TRAINER: "trainer"}


def role_required(*roles: str) -> Callable:
    """Pages for signed-in users holding one of ``roles``: others get 403, anonymous visitors
    go to the login page."""

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    names = role_names(request.user)
    roles = [role for role in DASHBOARD_ORDER if role in names]
    if not roles:
        return render(request, "accounts/no_role.html")
    chosen = next(
        (role for role in roles if DASHBOARD_SLUGS[role] == request.GET.get("as")), roles[0]
    )
    tabs = [(DASHBOARD_SLUGS[role], role == chosen) for role in roles] if len(roles) > 1 else []
    context = {"dashboard_tabs": tabs, **DASHBOARD_CONTEXTS[chosen](request)}
    template = f"accounts/dashboard_{chosen.replace(' ', '_')}.html"
    return render(request, template, context)


def _project_team_context(request: HttpRequest) -> dict:
    return {
        "courses": training_selectors.courses_in_preparation(),
        "recent_participants": participant_selectors.recent_participants(),
    }


def _trainer_context(request: HttpRequest) -> dict:
    return {
        "courses": training_selectors.courses_taught_by(request.user).order_by("-start_date"),
        "modules": training_selectors.trainer_modules(request.user),
        "expert_sessions": expert_selectors.upcoming_assignments(request.user),
    }


def _coordinator_context(request: HttpRequest) -> dict:
    return {
        "status_counts": training_selectors.course_status_counts(),
        "completed_courses": training_selectors.completed_courses(),
        "batches": certificate_selectors.recent_batches(),
    }


DASHBOARD_CONTEXTS = {
    PROJECT_TEAM: _project_team_context,
    TRAINER: _trainer_context,
    COORDINATOR: _coordinator_context,
}
