"""Output shapes of certificates and issuance batches (read-only for now: issuing and revoking
are services of their own)."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Certificate, CertificateBatch


class CertificateSerializer(serializers.ModelSerializer):
    course = serializers.IntegerField(source="enrolment.course_id", read_only=True)
    participant = serializers.IntegerField(source="enrolment.participant_id", read_only=True)

    class Meta:
        model = Certificate
        fields = [
            "id",
            "serial",
            "verification_code",
            "status",
            "enrolment",
            "course",
            "participant",
            "language",
            "batch",
            "issued_at",
            "revoked_at",
            "revoked_reason",
            "superseded_by",
            "created_at",
        ]
        read_only_fields = fields


class CertificateBatchSerializer(serializers.ModelSerializer):
    zip_url = serializers.SerializerMethodField(help_text="The ZIP of all PDFs, once built.")
    merged_pdf_url = serializers.SerializerMethodField(
        help_text="One PDF with every certificate, for printing, once built."
    )

    class Meta:
        model = CertificateBatch
        fields = [
            "id",
            "status",
            "total",
            "done",
            "failed",
            "zip_url",
            "merged_pdf_url",
            "course",
            "created_at",
            "finished_at",
            "error",
        ]
        read_only_fields = fields

    def _url(self, batch: CertificateBatch, file_field, route: str) -> str | None:
        if not file_field:
            return None
        url = reverse(route, args=[batch.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_zip_url(self, batch: CertificateBatch) -> str | None:
        return self._url(batch, batch.zip_file, "api:certificatebatch-zip")

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_merged_pdf_url(self, batch: CertificateBatch) -> str | None:
        return self._url(batch, batch.merged_pdf, "api:certificatebatch-merged-pdf")
