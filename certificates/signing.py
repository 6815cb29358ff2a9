"""Ed25519 signatures over a certificate's frozen snapshot, checkable offline.

The signature covers the canonical JSON of the snapshot (sorted keys, no spaces, UTF-8). The key
comes from ``CERTIFICATE_SIGNING_KEY`` (base64 of a 32-byte seed). Production refuses to sign
without it: every worker on every machine must sign with the same key, and no key may be guessed.
A development install (``DEBUG``) generates one on first use into ``CERTIFICATE_KEY_FILE``
(``var/certificate-signing.key``, readable by its owner only). A key is never derived from
``SECRET_KEY`` any more: the development ``SECRET_KEY`` is in the repository, so such signatures
could be forged; the key derived that way by earlier versions is still published, for verifying
what it signed.

Every signature records its key id (the first 16 hex digits of the SHA-256 of the public key), so
keys can rotate: old public keys stay listed in ``CERTIFICATE_PUBLIC_KEYS`` and old signatures
keep verifying.
"""

import base64
import hashlib
import json
import os
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings

from core.errors import DomainError


def canonical_bytes(snapshot: dict) -> bytes:
    return json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@cache
def private_key() -> Ed25519PrivateKey:
    configured = getattr(settings, "CERTIFICATE_SIGNING_KEY", "")
    if configured:
        try:
            seed = base64.b64decode(configured, validate=True)
        except ValueError:
            seed = b""
        if len(seed) != 32:
            raise DomainError(
                "Certificates cannot be signed: CERTIFICATE_SIGNING_KEY is not the base64 of 32 "
                'bytes. Generate one with: python -c "import os, base64; '
                'print(base64.b64encode(os.urandom(32)).decode())"'
            )
        return Ed25519PrivateKey.from_private_bytes(seed)
    if not settings.DEBUG:
        raise DomainError(
            "Certificates cannot be signed: set CERTIFICATE_SIGNING_KEY (the base64 of 32 random "
            "bytes, the same on every machine) and restart the workers."
        )
    return Ed25519PrivateKey.from_private_bytes(
        _development_seed(Path(settings.CERTIFICATE_KEY_FILE))
    )


def _development_seed(path: Path) -> bytes:
    """The seed in ``path``, written there on first use. Two processes starting at once agree:
    the file is created exclusively, and the one that loses the race reads the winner's."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return base64.b64decode(path.read_text().strip())
    seed = os.urandom(32)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(base64.b64encode(seed).decode())
    return seed


@cache
def _legacy_public_key() -> Ed25519PublicKey:
    """The key earlier versions derived from ``SECRET_KEY``: published for verifying only.
    Derived once per process: every public verification lists it."""
    seed = hashlib.sha256(b"certificate-signing:" + settings.SECRET_KEY.encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(seed).public_key()


def public_key_b64(key: Ed25519PublicKey) -> str:
    return base64.b64encode(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()[:16]


def published_keys() -> dict[str, str]:
    """Key id → base64 public key, for every key whose signatures should still verify."""
    legacy = _legacy_public_key()
    keys = {key_id(legacy): public_key_b64(legacy)}
    keys.update(getattr(settings, "CERTIFICATE_PUBLIC_KEYS", {}) or {})
    try:
        current = private_key().public_key()
    except DomainError:  # production without a key: it signs nothing, verifies the rest
        return keys
    keys[key_id(current)] = public_key_b64(current)
    return keys


def sign(snapshot: dict) -> tuple[str, str]:
    """Return ``(key_id, base64 signature)`` for the snapshot."""
    key = private_key()
    signature = key.sign(canonical_bytes(snapshot))
    return key_id(key.public_key()), base64.b64encode(signature).decode()


def verify(
    snapshot: dict, kid: str, signature_b64: str, keys: dict[str, str] | None = None
) -> bool:
    public = (keys or published_keys()).get(kid)
    if not public:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(public)).verify(
            base64.b64decode(signature_b64), canonical_bytes(snapshot)
        )
    except (InvalidSignature, ValueError):
        return False
    return True
