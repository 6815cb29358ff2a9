"""Shapes of certificates, issuance batches, and the inputs of issuing, revoking and verifying."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .labels import LANGUAGE_CHOICES
from .models import Certificate, CertificateBatch, CertificateDesign


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


class BatchFailureSerializer(serializers.Serializer):
    certificate = serializers.IntegerField(source="pk")
    serial = serializers.CharField()
    holder = serializers.CharField(source="snapshot.holder.name", default="")
    error = serializers.CharField()


class CertificateBatchSerializer(serializers.ModelSerializer):
    failures = BatchFailureSerializer(
        many=True,
        read_only=True,
        source="failed_certificates",
        help_text="Certificates that could not be rendered, with the reason; retry each alone.",
    )
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
            "failures",
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


class IssueRequestSerializer(serializers.Serializer):
    language = serializers.ChoiceField(
        choices=LANGUAGE_CHOICES,
        required=False,
        allow_blank=True,
        help_text="Empty: each trainee's own choice, else the course's working languages.",
    )
    design = serializers.PrimaryKeyRelatedField(
        queryset=CertificateDesign.objects.filter(is_active=True), required=False, allow_null=True
    )
    send_email = serializers.BooleanField(
        required=False, default=False, help_text="E-mail each trainee their PDF (once)."
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Why; recorded and shown publicly.")


class ReissueSerializer(ReasonSerializer):
    holder_changed = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "Confirms that the new certificate names another person than the one it was issued "
            "to: needed (else 409) when a merge moved its enrolment to another trainee record."
        ),
    )


class VerificationSerializer(serializers.Serializer):
    """The public facts of a certificate (see ``certificates.verification``)."""

    verification_code = serializers.CharField()
    serial = serializers.CharField()
    status = serializers.ChoiceField(choices=["valid", "revoked", "superseded"])
    holder = serializers.DictField(child=serializers.CharField(allow_blank=True))
    course = serializers.DictField(child=serializers.CharField(allow_blank=True))
    programme = serializers.CharField(allow_blank=True)
    issued_on = serializers.CharField(allow_blank=True)
    revoked_at = serializers.CharField(allow_null=True)
    revoked_reason = serializers.CharField(allow_blank=True)
    superseded_by = serializers.DictField(child=serializers.CharField(), allow_null=True)
    signature = serializers.DictField(child=serializers.CharField(allow_blank=True))
    snapshot = serializers.JSONField()
