"""The trainers' library pages: module cards with the current manual per language and its
attachments, a module's history, downloads (logged, streamed or redirected to a signed URL),
the course ZIP with its live progress, the coordinators' upload form and download log.

Who sees what: every role that reads manuals uses the library and asks for course ZIPs; a ZIP
is shown only to the person who asked for it and to coordinators; uploading, withdrawing and
the download log are for coordinators. Writes go through ``trainings.services``; reads through
``trainings.library``.
"""

import datetime as dt
from typing import cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.roles import ALL_ROLES, COORDINATOR, has_role
from core import downloads
from core.errors import DomainError
from core.requests import HtmxHttpRequest

from . import bundles, library, selectors, services
from .languages import Language
from .models import (
    AttachmentKind,
    Course,
    Manual,
    ManualAttachment,
    ManualBundle,
    ThematicModule,
)

DOWNLOADS_PER_PAGE = 50

# --- Forms -----------------------------------------------------------------------------------


class LibraryFilterForm(forms.Form):
    module = forms.ModelChoiceField(
        ThematicModule.objects.order_by("order", "code"),
        required=False,
        label=gettext_lazy("Module"),
        empty_label=gettext_lazy("Any module"),
    )
    language = forms.ChoiceField(
        choices=[("", gettext_lazy("Any language")), *Language.choices],
        required=False,
        label=gettext_lazy("Language"),
    )
    course = forms.ModelChoiceField(
        Course.objects.order_by("-start_date", "title"),
        required=False,
        label=gettext_lazy("Course"),
        empty_label=gettext_lazy("Any course"),
    )
    mine = forms.BooleanField(required=False, label=gettext_lazy("My modules"))


class ManualUploadForm(forms.Form):
    module = forms.ModelChoiceField(
        ThematicModule.objects.order_by("order", "code"), label=gettext_lazy("Module")
    )
    language = forms.ChoiceField(choices=Language.choices, label=gettext_lazy("Language"))
    title = forms.CharField(max_length=200, label=gettext_lazy("Title"))
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("PDF, DOCX, PPTX, XLSX, ODT or ZIP."),
    )


class DownloadLogFilterForm(forms.Form):
    module = forms.ModelChoiceField(
        ThematicModule.objects.order_by("order", "code"),
        required=False,
        label=gettext_lazy("Module"),
        empty_label=gettext_lazy("Any module"),
    )
    user = forms.ModelChoiceField(
        get_user_model().objects.order_by("username"),
        required=False,
        label=gettext_lazy("User"),
        empty_label=gettext_lazy("Anyone"),
    )
    since = forms.DateField(
        required=False, label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label=gettext_lazy("Until"), widget=forms.DateInput(attrs={"type": "date"})
    )


# --- The library -----------------------------------------------------------------------------

RECENT_BUNDLES_AGE = dt.timedelta(days=7)
RECENT_BUNDLES_SHOWN = 5


@role_required(*ALL_ROLES)
def library_page(request: HttpRequest) -> HttpResponse:
    """Module cards. A trainer linked to an expert record sees "My modules" by default; the
    filter form sends ``filtered=1``, so unticking it shows every module."""
    expert = selectors.is_expert(request.user)
    params = request.GET.copy()
    if "filtered" not in params and expert:
        params["mine"] = "on"
    form = LibraryFilterForm(params)
    filters = form.cleaned_data if form.is_valid() else {}
    course = filters.get("course")
    cards = library.library_cards(
        module=filters.get("module"),
        language=filters.get("language") or "",
        course=course,
        user_modules=selectors.modules_taught_by(request.user).values("pk")
        if filters.get("mine")
        else None,
    )
    bundle = None
    own_bundles = ManualBundle.objects.filter(requested_by=cast(User, request.user))
    if course is not None:
        bundle = own_bundles.filter(course=course).order_by("-created_at").first()
    # Without a course filter, the ZIPs asked for lately stay in reach (a ZIP is built in the
    # background; the requester may have moved on to another page meanwhile).
    recent_bundles = (
        []
        if course is not None
        else list(
            own_bundles.filter(created_at__gte=timezone.now() - RECENT_BUNDLES_AGE)
            .select_related("course")
            .order_by("-created_at")[:RECENT_BUNDLES_SHOWN]
        )
    )
    context = {
        "form": form,
        "cards": cards,
        "is_expert": expert,
        "course": course,
        "bundle": bundle,
        "recent_bundles": recent_bundles,
        "language": filters.get("language") or "",
        "can_manage": has_role(request.user, COORDINATOR),
    }
    return render(request, "trainings/library.html", context)


@role_required(*ALL_ROLES)
def manual_history(request: HttpRequest, module: int, language: str) -> HttpResponse:
    """Every version of a module's manual in one language, withdrawn ones marked."""
    if language not in Language.values:
        raise Http404
    item = get_object_or_404(ThematicModule, pk=module)
    context = {
        "module": item,
        "language": Language(language),
        "versions": library.manual_history(item, language),
        "can_manage": has_role(request.user, COORDINATOR),
        "attachment_kinds": AttachmentKind.choices,
    }
    return render(request, "trainings/library_history.html", context)


def _serve(file, *, filename: str, content_type: str, record) -> HttpResponse:
    try:
        return downloads.serve(file, filename=filename, content_type=content_type, record=record)
    except downloads.MissingFile as exc:
        raise Http404(_("The file is missing from storage.")) from exc


@role_required(*ALL_ROLES)
def manual_download(request: HttpRequest, pk: int) -> HttpResponse:
    manual = get_object_or_404(Manual, pk=pk)
    return _serve(
        manual.file,
        filename=manual.original_name or f"manual-{manual.pk}",
        content_type=manual.content_type,
        record=lambda: services.manual_download_record(manual=manual, by=request.user),
    )


@role_required(*ALL_ROLES)
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = get_object_or_404(ManualAttachment.objects.select_related("manual"), pk=pk)
    return _serve(
        attachment.file,
        filename=attachment.original_name or f"attachment-{attachment.pk}",
        content_type=attachment.content_type,
        record=lambda: services.manual_download_record(
            manual=attachment.manual, attachment=attachment, by=request.user
        ),
    )


# --- Course ZIPs -----------------------------------------------------------------------------


def _own_bundle(request: HttpRequest, pk: int) -> ManualBundle:
    bundle = get_object_or_404(ManualBundle.objects.select_related("course"), pk=pk)
    if bundle.requested_by_id != request.user.pk and not has_role(request.user, COORDINATOR):
        raise PermissionDenied
    return bundle


@role_required(*ALL_ROLES)
@require_POST
def bundle_request(request: HtmxHttpRequest) -> HttpResponse:
    """The "Download everything for this course" button: queue the ZIP, then show its
    progress (in place with htmx, else back on the library page)."""
    course_id = request.POST.get("course", "")
    course = get_object_or_404(Course, pk=int(course_id) if course_id.isdigit() else 0)
    language = request.POST.get("language", "")
    bundle, error = None, None
    try:
        bundle = bundles.bundle_create(
            course=course, language=language if language in Language.values else "", by=request.user
        )
    except DomainError as exc:
        error = exc.message
    if request.htmx:
        context = {"bundle": bundle, "error": error, "course": course}
        return render(request, "trainings/_library_bundle.html", context)
    if error:
        messages.error(request, error)
    params: dict[str, str | int] = {"course": course.pk, "language": language, "filtered": 1}
    query = urlencode(params)
    return redirect(f"{reverse('library')}?{query}#bundle")


@role_required(*ALL_ROLES)
@never_cache
def bundle_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The live progress fragment; it stops polling once the ZIP is ready or has failed."""
    bundle = _own_bundle(request, pk)
    return render(
        request, "trainings/_library_bundle.html", {"bundle": bundle, "course": bundle.course}
    )


@role_required(*ALL_ROLES)
def bundle_download(request: HttpRequest, pk: int) -> HttpResponse:
    bundle = _own_bundle(request, pk)
    if not bundle.file:
        raise Http404(_("This ZIP has not been built yet."))
    return _serve(
        bundle.file,
        filename=library.bundle_filename(bundle),
        content_type="application/zip",
        record=lambda: bundles.bundle_download_record(bundle=bundle, by=request.user),
    )


# --- Coordinators ----------------------------------------------------------------------------


@role_required(COORDINATOR)
def manual_upload(request: HttpRequest) -> HttpResponse:
    """Upload a new version. Refusals (content, size, name) come back as field errors and
    nothing is stored."""
    form = ManualUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            manual = services.manual_create(**form.cleaned_data, by=request.user)
        except DomainError as error:
            field = error.field if error.field in form.fields else None
            form.add_error(field, error.message)
        else:
            messages.success(
                request,
                _("%(title)s uploaded as version %(version)d.")
                % {"title": manual.title, "version": manual.version},
            )
            query = urlencode({"module": manual.module_id, "filtered": 1})
            return redirect(f"{reverse('library')}?{query}")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "max_size": settings.MAX_UPLOAD_SIZE}
    return render(request, "trainings/library_upload.html", context, status=status)


@role_required(COORDINATOR)
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach facilitation material, an exercise or slides to one version, from its history
    page. The file gets the manuals' checks (content, size, generated name)."""
    manual = get_object_or_404(Manual, pk=pk)
    try:
        attachment = services.attachment_create(
            manual=manual,
            kind=request.POST.get("kind", ""),
            title=request.POST.get("title", ""),
            file=request.FILES.get("file"),
            by=request.user,
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(title)s attached to version %(version)d.")
            % {"title": attachment.title, "version": manual.version},
        )
    return redirect("library-history", module=manual.module_id, language=manual.language)


@role_required(COORDINATOR)
@require_POST
def manual_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    manual = get_object_or_404(Manual, pk=pk)
    try:
        services.manual_withdraw(
            manual=manual, reason=request.POST.get("reason", "")[:2000], by=request.user
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Version %(version)d withdrawn.") % {"version": manual.version})
    return redirect("library-history", module=manual.module_id, language=manual.language)


@role_required(COORDINATOR)
@require_POST
def manual_restore(request: HttpRequest, pk: int) -> HttpResponse:
    manual = get_object_or_404(Manual, pk=pk)
    try:
        services.manual_restore(manual=manual, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Version %(version)d restored.") % {"version": manual.version})
    return redirect("library-history", module=manual.module_id, language=manual.language)


@role_required(COORDINATOR)
def download_log(request: HttpRequest) -> HttpResponse:
    form = DownloadLogFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = library.download_log(
        module=filters.get("module"),
        user=filters.get("user"),
        since=filters.get("since"),
        until=filters.get("until"),
    )
    page = Paginator(rows, DOWNLOADS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "trainings/library_downloads.html", {"form": form, "page": page})
