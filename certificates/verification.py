"""What anyone may learn about a certificate from its verification code.

Public by design and therefore minimal: the status (with date and reason when revoked, the current
code when superseded), the holder's name, the course and the dates — nothing else personal — plus
the signed snapshot and its Ed25519 signature so a third party can check it offline. Lookups are
rate-limited per client with DRF's throttle (scope ``verify``), for the page and the API alike.
"""

from django.http import HttpRequest
from rest_framework.throttling import ScopedRateThrottle

from . import codes, signing
from .models import Certificate, CertificateStatus
from .snapshot import verify_url

VISIBLE = (CertificateStatus.VALID, CertificateStatus.REVOKED, CertificateStatus.SUPERSEDED)


class _VerifyScope:
    throttle_scope = "verify"


def lookup_allowed(request: HttpRequest) -> bool:
    """One shared budget of lookups per client for the page and the JSON endpoint."""
    # The throttle reads only the client address (META) and the view's throttle_scope.
    return ScopedRateThrottle().allow_request(request, _VerifyScope())  # type: ignore[arg-type]  # duck-typed, see above


def find(code: str) -> Certificate | None:
    """The issued certificate with this code. Raises ``codes.MistypedCode`` for a typo and
    ``ValueError`` for text that cannot be a code."""
    canonical = codes.normalise(code)
    return (
        Certificate.objects.filter(verification_code=canonical, status__in=VISIBLE)
        .select_related("superseded_by")
        .first()
    )


def public_view(certificate: Certificate) -> dict:
    snapshot = certificate.snapshot
    course = snapshot.get("course", {})
    data = {
        "verification_code": certificate.verification_code,
        "serial": certificate.serial,
        "status": certificate.status,
        "holder": {
            "name": snapshot.get("holder", {}).get("name", ""),
            "native_name": snapshot.get("holder", {}).get("native_name", ""),
        },
        "course": {
            "title": course.get("title", ""),
            "city": course.get("city", ""),
            "country": course.get("country", ""),
            "start_date": course.get("start_date", ""),
            "end_date": course.get("end_date", ""),
        },
        "programme": snapshot.get("programme", {}).get("name", ""),
        "issued_on": snapshot.get("issued_on", ""),
        "revoked_at": None,
        "revoked_reason": "",
        "superseded_by": None,
        "signature": {
            "algorithm": "Ed25519",
            "key_id": certificate.key_id,
            "value": certificate.signature,
            "public_key": signing.published_keys().get(certificate.key_id, ""),
            "signed": "the canonical JSON of `snapshot`: sorted keys, no spaces, UTF-8",
        },
        "snapshot": snapshot,
    }
    if certificate.status in (CertificateStatus.REVOKED, CertificateStatus.SUPERSEDED):
        data["revoked_at"] = certificate.revoked_at.isoformat() if certificate.revoked_at else None
        data["revoked_reason"] = certificate.revoked_reason
    if certificate.status == CertificateStatus.SUPERSEDED and certificate.superseded_by:
        current = certificate.superseded_by.verification_code
        data["superseded_by"] = {"verification_code": current, "url": verify_url(current)}
    return data
