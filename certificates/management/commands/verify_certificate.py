"""Check a downloaded certificate, offline where possible.

    python manage.py verify_certificate certificate.json             # the JSON of /api/v1/verify/
    python manage.py verify_certificate certificate.json --public-key <base64>
    python manage.py verify_certificate SRP-2016-ERB-0007.pdf        # a PDF, against the registry

A JSON file is checked offline: its Ed25519 signature over the snapshot, with the given public
key or this installation's published keys. A PDF is checked against the registry: its SHA-256
must be the one recorded when it was issued, and the certificate's current status is reported.
Exit status 0 means valid, 1 means not valid.
"""

import hashlib
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from certificates import signing
from certificates.models import Certificate, CertificateStatus


class Command(BaseCommand):
    help = "Verify a certificate PDF or verification JSON."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--public-key", help="Base64 Ed25519 public key to trust (JSON only).")

    def handle(self, *args, path: str, public_key: str | None, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No such file: {path}")
        data = file.read_bytes()
        ok = self._pdf(data) if data.startswith(b"%PDF") else self._json(data, public_key)
        if not ok:
            raise SystemExit(1)

    def _json(self, data: bytes, public_key: str | None) -> bool:
        try:
            document = json.loads(data)
            snapshot, signature = document["snapshot"], document["signature"]
            kid, value = signature["key_id"], signature["value"]
        except (ValueError, KeyError, TypeError) as error:
            raise CommandError(f"Not a verification JSON: {error}") from error
        keys = {kid: public_key} if public_key else None
        if not signing.verify(snapshot, kid, value, keys):
            self.stdout.write(self.style.ERROR("INVALID: the signature does not match the data."))
            return False
        holder = snapshot.get("holder", {}).get("name", "")
        self.stdout.write(
            self.style.SUCCESS(
                f"Signature valid (key {kid}): {snapshot.get('serial')} for {holder}, "
                f"{snapshot.get('course', {}).get('title', '')}. "
                f"Status when downloaded: {document.get('status', 'unknown')}."
            )
        )
        return True

    def _pdf(self, data: bytes) -> bool:
        digest = hashlib.sha256(data).hexdigest()
        certificate = Certificate.objects.filter(sha256=digest).first()
        if certificate is None:
            self.stdout.write(
                self.style.ERROR("UNKNOWN: this PDF was not issued here, or was altered.")
            )
            return False
        line = f"{certificate.serial} ({certificate.verification_code}): {certificate.status}"
        if certificate.status == CertificateStatus.VALID:
            self.stdout.write(self.style.SUCCESS(f"VALID: {line}"))
            return True
        reason = f" — {certificate.revoked_reason}" if certificate.revoked_reason else ""
        self.stdout.write(self.style.ERROR(f"NOT VALID: {line}{reason}"))
        return False
