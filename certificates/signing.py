"""Ed25519 signatures over a certificate's frozen snapshot, checkable offline.

The signature covers the canonical JSON of the snapshot (sorted keys, no spaces, UTF-8). The key
comes from ``CERTIFICATE_SIGNING_KEY`` (base64 of a 32-byte seed); without one, a key is derived
from ``SECRET_KEY`` so a laptop install signs too. Every signature records its key id (the first
16 hex digits of the SHA-256 of the public key), so keys can rotate: old public keys stay listed
in ``CERTIFICATE_PUBLIC_KEYS`` and old signatures keep verifying.
"""

import base64
import hashlib
import json
from functools import cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings


def canonical_bytes(snapshot: dict) -> bytes:
    return json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@cache
def private_key() -> Ed25519PrivateKey:
    configured = getattr(settings, "CERTIFICATE_SIGNING_KEY", "")
    if configured:
        seed = base64.b64decode(configured)
    else:
        seed = hashlib.sha256(b"certificate-signing:" + settings.SECRET_KEY.encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_b64(key: Ed25519PublicKey) -> str:
    return base64.b64encode(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()[:16]


def published_keys() -> dict[str, str]:
    """Key id → base64 public key, for every key whose signatures should still verify."""
    current = private_key().public_key()
    keys = dict(getattr(settings, "CERTIFICATE_PUBLIC_KEYS", {}) or {})
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
