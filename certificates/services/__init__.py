"""Writes on certificates, by step: ``issuing`` (the batch and its frozen, signed snapshots),
``pipeline`` (claim → render → store → recount → finalize → e-mail, run by workers),
``lifecycle`` (retry, revoke, re-issue) and ``designs``. See docs/architecture.md for the path
of one certificate from the coordinator's click to the files in storage.

This package is the app's service facade: callers use ``certificates.services.<name>``; each
name is defined in exactly one submodule.
"""

from .designs import design_save
from .issuing import batch_create, new_certificate
from .lifecycle import certificate_reissue, certificate_retry, certificate_revoke
from .pipeline import (
    EMAIL_CERTIFICATE,
    FINALIZE_BATCH,
    RENDER_CHUNK,
    batch_dispatch,
    batch_finalize,
    batch_recount,
    batches_sweep,
    certificate_claim,
    certificate_dispatch,
    certificate_email,
    certificate_pdf,
    certificate_render,
    certificate_store,
    certificates_render,
    chunk_render,
)

__all__ = [
    "EMAIL_CERTIFICATE",
    "FINALIZE_BATCH",
    "RENDER_CHUNK",
    "batch_create",
    "batch_dispatch",
    "batch_finalize",
    "batch_recount",
    "batches_sweep",
    "certificate_claim",
    "certificate_dispatch",
    "certificate_email",
    "certificate_pdf",
    "certificate_reissue",
    "certificate_render",
    "certificate_retry",
    "certificate_revoke",
    "certificate_store",
    "certificates_render",
    "chunk_render",
    "design_save",
    "new_certificate",
]
