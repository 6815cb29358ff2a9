"""REST resources for certificates: issuing a course's batch, its progress and files, one
certificate's PDF, revocation, re-issue and retry, and the public verification endpoint.

Views only translate: every write is a service in ``certificates.services``.
"""

import logging

from django.db.models import Prefetch
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from core.api import DOWNLOAD_VIEW_OPTIONS, ApiAutoSchema, DomainErrorsMixin, ReadOnlyViewSet
from trainings.api import CourseActionsViewSet

from . import codes, services, verification
from .filters import CertificateBatchFilter, CertificateFilter
from .models import Certificate, CertificateBatch, CertificateStatus
from .permissions import CertificateAccess
from .serializers import (
    CertificateBatchSerializer,
    CertificateSerializer,
    IssueRequestSerializer,
    ReasonSerializer,
    ReissueSerializer,
    VerificationSerializer,
)

logger = logging.getLogger(__name__)


def _file_response(file_field, filename: str, content_type: str) -> FileResponse:
    if not file_field:
        raise NotFound("This file has not been produced yet.")
    try:
        handle = file_field.open("rb")
    except FileNotFoundError as exc:
        logger.error("file %r is missing from storage", file_field.name)
        raise NotFound("The file is missing from storage.") from exc
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)


def _file_schema(content_type: str):
    return extend_schema(
        responses={
            (200, content_type): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, as an attachment."
            )
        }
    )


@extend_schema(tags=["certificates"])
class CertificateViewSet(ReadOnlyViewSet):
    """Issued certificates. Coordinators and the project team read them."""

    serializer_class = CertificateSerializer
    permission_classes = [CertificateAccess]
    filterset_class = CertificateFilter
    search_fields = [
        "serial",
        "verification_code",
        "enrolment__participant__first_name",
        "enrolment__participant__last_name",
        "enrolment__participant__native_name",
    ]
    ordering_fields = ["created_at", "issued_at", "serial", "status"]
    ordering = ["-created_at"]

    def get_queryset(self):
        return Certificate.objects.select_related("enrolment")

    def get_serializer_class(self):
        if self.action == "revoke":
            return ReasonSerializer
        if self.action == "reissue":
            return ReissueSerializer
        return CertificateSerializer

    @_file_schema("application/pdf")
    @action(detail=True, methods=["get"], **DOWNLOAD_VIEW_OPTIONS)
    def pdf(self, request, pk=None):
        """The certificate's PDF, exactly as issued."""
        certificate = self.get_object()
        return _file_response(certificate.pdf, f"{certificate.serial}.pdf", "application/pdf")

    @extend_schema(request=ReasonSerializer, responses={200: CertificateSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """Revoke a valid certificate; the reason shows on the public verification page."""
        payload = ReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        certificate = services.certificate_revoke(
            certificate=self.get_object(), reason=payload.validated_data["reason"], by=request.user
        )
        return Response(CertificateSerializer(certificate).data)

    @extend_schema(request=ReissueSerializer, responses={202: CertificateSerializer})
    @action(detail=True, methods=["post"])
    def reissue(self, request, pk=None):
        """Supersede this certificate with a new one printed from the current data. When a
        merge moved it to another trainee record, `holder_changed: true` confirms that the new
        one names that person (409 without it)."""
        payload = ReissueSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        new = services.certificate_reissue(
            certificate=self.get_object(),
            reason=payload.validated_data["reason"],
            holder_changed=payload.validated_data["holder_changed"],
            by=request.user,
        )
        return Response(CertificateSerializer(new).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: CertificateSerializer})
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        """Render a failed certificate again."""
        certificate = services.certificate_retry(certificate=self.get_object(), by=request.user)
        return Response(CertificateSerializer(certificate).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["certificate-batches"])
class CertificateBatchViewSet(ReadOnlyViewSet):
    """Bulk issuances and their progress. Coordinators and the project team read
    them."""

    serializer_class = CertificateBatchSerializer
    permission_classes = [CertificateAccess]
    filterset_class = CertificateBatchFilter
    ordering_fields = ["created_at", "finished_at", "status"]
    ordering = ["-created_at"]

    def get_queryset(self):
        failed = Certificate.objects.filter(status=CertificateStatus.FAILED).order_by("pk")
        return CertificateBatch.objects.prefetch_related(
            Prefetch("certificates", queryset=failed, to_attr="failed_certificates")
        )

    @_file_schema("application/zip")
    @action(detail=True, methods=["get"], **DOWNLOAD_VIEW_OPTIONS)
    def zip(self, request, pk=None):
        """The ZIP holding one PDF per certificate of the batch."""
        batch = self.get_object()
        return _file_response(
            batch.zip_file, f"certificates-batch-{batch.pk}.zip", "application/zip"
        )

    @_file_schema("application/pdf")
    @action(
        detail=True,
        methods=["get"],
        url_path="merged-pdf",
        **DOWNLOAD_VIEW_OPTIONS,
    )
    def merged_pdf(self, request, pk=None):
        """Every certificate of the batch in one PDF, for printing."""
        batch = self.get_object()
        return _file_response(
            batch.merged_pdf, f"certificates-batch-{batch.pk}.pdf", "application/pdf"
        )


class CourseCertificatesViewSet(CourseActionsViewSet):
    """The course resource's ``POST /api/v1/courses/{id}/certificates/issue/``."""

    @extend_schema(
        tags=["certificates"],
        summary="Issue certificates to every trainee who completed the course",
        description=(
            "Creates a batch with one certificate per trainee who met the completion rule and has "
            "no certificate yet, and answers 202 at once; workers render the PDFs. Follow "
            "`GET /api/v1/certificate-batches/{id}/` for progress and the ZIP/merged PDF links. "
            "409 when everyone already has one."
        ),
        request=IssueRequestSerializer,
        responses={202: CertificateBatchSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="certificates/issue",
        permission_classes=[CertificateAccess],
    )
    def issue_certificates(self, request, pk=None):
        course = self.get_object()
        payload = IssueRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        batch = services.batch_create(
            course=course,
            by=request.user,
            language=payload.validated_data.get("language") or "",
            design=payload.validated_data.get("design"),
            send_email=payload.validated_data.get("send_email", False),
        )
        batch.failed_certificates = []  # type: ignore[attr-defined]  # the list's prefetch to_attr
        body = CertificateBatchSerializer(batch, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


class VerifyView(DomainErrorsMixin, APIView):
    """Public: what a certificate's verification code proves. Rate-limited per client."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = "verify"
    schema = ApiAutoSchema()

    @extend_schema(tags=["verification"], auth=[], responses={200: VerificationSerializer})
    def get(self, request, code: str):
        try:
            certificate = verification.find(code)
        except codes.MistypedCode as error:
            raise ValidationError({"code": [str(error)]}) from error
        except ValueError:
            certificate = None
        if certificate is None:
            raise NotFound("No certificate has this verification code.")
        return Response(verification.public_view(certificate))
