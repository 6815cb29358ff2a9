"""Expert pages: the filtered list, the detail page with the teaching history, and the
coordinators' actions on it (assign to a course or session, give a login).

Every role reads; coordinators see the current conflicts and may act. Writes go through
``experts.services``; overlaps and modules outside the expert's expertise are shown as warnings
after saving, never refused.
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.roles import ALL_ROLES, COORDINATOR, has_role
from core.actor import Actor
from core.errors import DomainError
from core.requests import HtmxHttpRequest

from . import conflicts, selectors, services, visibility
from .forms import AssignmentForm
from .models import Expert

EXPERTS_PER_PAGE = 25


@role_required(*ALL_ROLES)
def expert_list(request: HtmxHttpRequest) -> HttpResponse:
    filterset = selectors.expert_list_filter(request.GET)
    page = Paginator(filterset.qs, EXPERTS_PER_PAGE).get_page(request.GET.get("page"))
    for expert in page.object_list:
        expert.language_names = selectors.language_names(expert.languages)
    context = {"filter": filterset, "page": page}
    # htmx asks for the results only; a history restore needs the whole page again.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "experts/_expert_results.html" if partial else "experts/expert_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _detail_context(request: HttpRequest, expert: Expert, form: AssignmentForm | None) -> dict:
    coordinator = has_role(request.user, COORDINATOR)
    return {
        "expert": expert,
        "languages": selectors.language_names(expert.languages),
        "history": selectors.expert_history(expert),
        "is_coordinator": coordinator,
        "conflicts": conflicts.expert_warnings(expert) if coordinator else (),
        "form": (form or AssignmentForm()) if coordinator else None,
    }


def _expert_or_404(pk: int, user: Actor = None) -> Expert:
    queryset = Expert.objects.select_related("user").prefetch_related("modules")
    return get_object_or_404(visibility.with_contact_visibility(queryset, user), pk=pk)


@role_required(*ALL_ROLES)
def expert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    expert = _expert_or_404(pk, request.user)
    return render(request, "experts/expert_detail.html", _detail_context(request, expert, None))


@require_POST
@role_required(COORDINATOR)
def expert_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Assign the expert, then show the new assignment's warnings as messages."""
    expert = _expert_or_404(pk, request.user)
    form = AssignmentForm(request.POST)
    if form.is_valid():
        try:
            assignment = services.assignment_create(
                expert=expert,
                role=form.cleaned_data["role"],
                by=request.user,
                **form.cleaned_data["target"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Assigned to %(what)s.") % {"what": assignment.session or assignment.course},
            )
            for warning in conflicts.assignment_warnings(assignment):
                messages.warning(request, warning.message)
            return redirect("expert-detail", pk=expert.pk)
    context = _detail_context(request, expert, form)
    return render(request, "experts/expert_detail.html", context, status=400)


@require_POST
@role_required(COORDINATOR)
def expert_grant_login(request: HttpRequest, pk: int) -> HttpResponse:
    expert = _expert_or_404(pk, request.user)
    try:
        grant = services.expert_grant_login(expert=expert, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, grant.message)
    return redirect("expert-detail", pk=expert.pk)


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The link of the login invitation (``experts.invitations``): the expert chooses a
    password, then logs in."""

    template_name = "experts/set_password.html"
    success_url = reverse_lazy("login")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is set. You can log in now."))
        return response
