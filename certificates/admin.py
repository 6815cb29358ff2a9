"""Admin for issued certificates and their batches: a read-only window.

Certificates are frozen documents created, revoked and re-issued only by the certificate
services (which render the PDF, assign serials and keep the verification page truthful), so the
admin adds, edits and deletes none of them.
"""

import json

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Certificate, CertificateBatch, CertificateDesign, Signatory
from .preview import sample_context
from .rendering import PREVIEW_SECONDS, RenderError, builtin_design, renderer


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def file_name(field_file) -> str:
    # Media is private: show the stored name, never a link under MEDIA_URL.
    return field_file.name if field_file else "—"


class CertificateInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Certificate
    fields = ("serial", "enrolment", "status", "language", "issued_at")
    readonly_fields = fields
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("enrolment__participant", "enrolment__course")
        )


@admin.register(CertificateBatch)
class CertificateBatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "course",
        "status",
        "total",
        "done",
        "failed",
        "created_by",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "course")
    search_fields = ("=id", "course__code", "course__title")
    list_select_related = ("course", "created_by")
    fields = (
        "course",
        "status",
        "total",
        "done",
        "failed",
        "created_by",
        "created_at",
        "finished_at",
        "zip_name",
        "merged_pdf_name",
        "error",
    )
    readonly_fields = fields
    inlines = (CertificateInline,)

    @admin.display(description=_("ZIP of all PDFs"))
    def zip_name(self, obj: CertificateBatch) -> str:
        return file_name(obj.zip_file)

    @admin.display(description=_("merged PDF"))
    def merged_pdf_name(self, obj: CertificateBatch) -> str:
        return file_name(obj.merged_pdf)


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("serial", "trainee", "course", "status", "language", "issued_at", "revoked_at")
    list_filter = ("status", "language", "enrolment__course")
    search_fields = (
        "serial",
        "verification_code",
        "enrolment__participant__first_name",
        "enrolment__participant__last_name",
        "enrolment__participant__native_name",
        "enrolment__course__code",
    )
    list_select_related = ("enrolment__participant", "enrolment__course")
    date_hierarchy = "issued_at"
    fields = (
        "serial",
        "verification_code",
        "status",
        "enrolment",
        "batch",
        "language",
        "issued_at",
        "pdf_name",
        "sha256",
        "printed_content",
        "revoked_at",
        "revoked_reason",
        "revoked_by",
        "superseded_by",
        "created_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("enrolment__participant", "enrolment__course", "batch__course")
        )

    @admin.display(description=_("trainee"), ordering="enrolment__participant__last_name")
    def trainee(self, obj: Certificate):
        return obj.enrolment.participant

    @admin.display(description=_("course"), ordering="enrolment__course__start_date")
    def course(self, obj: Certificate):
        return obj.enrolment.course

    @admin.display(description=_("PDF"))
    def pdf_name(self, obj: Certificate) -> str:
        return file_name(obj.pdf)

    @admin.display(description=_("printed content"))
    def printed_content(self, obj: Certificate) -> str:
        text = json.dumps(obj.snapshot, ensure_ascii=False, indent=2, sort_keys=True)
        return format_html("<pre>{}</pre>", text)


@admin.register(Signatory)
class SignatoryAdmin(admin.ModelAdmin):
    list_display = ("name", "title", "programme", "order", "is_active")
    list_filter = ("programme", "is_active")
    search_fields = ("name", "title")
    list_select_related = ("programme",)
    autocomplete_fields = ("courses",)


class CertificateDesignForm(forms.ModelForm):
    class Meta:
        model = CertificateDesign
        fields = ("name", "programme", "is_active", "is_default", "html", "css")

    def clean_html(self):
        html = self.cleaned_data["html"]
        try:
            renderer().render_html(html, sample_context("en"), seconds=PREVIEW_SECONDS)
        except RenderError as error:
            raise forms.ValidationError(error.args[0]) from error
        return html


@admin.register(CertificateDesign)
class CertificateDesignAdmin(admin.ModelAdmin):
    """Coordinators edit designs here; "Preview" renders one on a sample trainee. The template
    runs in a sandbox (see ``certificates.rendering``), so a design cannot reach settings or
    files."""

    form = CertificateDesignForm
    list_display = ("name", "programme", "version", "is_active", "is_default", "preview")
    list_filter = ("is_active", "programme")
    search_fields = ("name",)
    readonly_fields = ("version", "preview")
    fields = ("name", "programme", "is_active", "is_default", "version", "preview", "html", "css")

    def get_changeform_initial_data(self, request):
        html, css = builtin_design("classic")
        return {"name": _("Classic (A4 landscape)"), "html": html, "css": css}

    @admin.display(description=_("preview"))
    def preview(self, obj) -> str:
        if not obj or not obj.pk:
            url = reverse("builtin-design-preview")
        else:
            url = reverse("design-preview", args=[obj.pk])
        return format_html(
            '<a href="{}?language=ar-en" target="_blank">Arabic + English</a> · '
            '<a href="{}?language=en" target="_blank">English</a> · '
            '<a href="{}?language=ru" target="_blank">Русский</a>',
            url,
            url,
            url,
        )

    def save_model(self, request, obj, form, change):
        services.design_save(design=obj)
