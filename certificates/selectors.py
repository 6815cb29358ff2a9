"""Read queries for the pages that show certificate issuance. Nothing here writes."""

from django.db.models import QuerySet

from certificates.models import CertificateBatch


def recent_batches(limit: int = 10) -> QuerySet[CertificateBatch]:
    """The latest issuance batches with their course, newest first."""
    return CertificateBatch.objects.select_related("course").order_by("-created_at", "-pk")[:limit]
