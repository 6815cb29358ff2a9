"""Read-only REST resources for issued certificates and issuance batches.

Issuing and revoking come with their services; this module only lists, shows and hands out the
files a finished batch produced.
"""

import logging

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound

from config.api import DOWNLOAD_VIEW_OPTIONS, ReadOnlyViewSet

from .filters import CertificateBatchFilter, CertificateFilter
from .models import Certificate, CertificateBatch
from .permissions import CertificateAccess
from .serializers import CertificateBatchSerializer, CertificateSerializer

logger = logging.getLogger(__name__)


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
        return CertificateBatch.objects.all()

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
