"""The certificate pipeline: one service per step, in the order a certificate goes through it.

    batch_dispatch      sends the batch's pending ids to the workers in chunks
    certificate_claim   leases one pending certificate (a conditional update, bounded attempts)
    certificate_pdf     renders its frozen snapshot with its design (no database writes)
    certificate_store   saves the PDF and marks it valid, re-checked under a row lock
    batch_recount       recounts the batch's progress from its rows (never ``+= 1``)
    batch_finalize      writes the ZIP and the merged print PDF once nothing is pending
    certificate_email   e-mails one issued certificate, claimed before sending

``chunk_render`` is the render task's one call: claim → render → store for each id, then recount,
then it sends what follows (each certificate's e-mail when the batch asks for them, and
``finalize_batch`` once nothing is pending). ``batches_sweep`` (beat) sends again what a stalled
batch still has pending: the cure for lost messages, a Redis restart or a killed worker.

The database is the source of truth, the broker only a hint. Delivery is at least once and
workers die, so every step is safe to repeat: a duplicated message renders at most once more and
stores nothing twice; a dead worker's lease runs out; a certificate that no attempt could finish
(its worker keeps dying, storage keeps failing) is failed with its last reason after
``CERTIFICATE_MAX_ATTEMPTS`` claims, so its batch still finishes. Jobs are sent by name
(``core.jobs``): this module never imports the tasks that call it.
"""

import datetime as dt
import hashlib
import logging
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.claims import claim, lease_free
from core.jobs import send

from ..merge import merge_in_child
from ..models import (
    FINISHED_STATUSES,
    BatchStatus,
    Certificate,
    CertificateBatch,
    CertificateStatus,
    Signatory,
)
from ..rendering import RenderError, qr_svg_data_uri, renderer
from ..selectors import design_source

if TYPE_CHECKING:  # django-stubs-ext is a development dependency: for the type checker only
    from django_stubs_ext import WithAnnotations

logger = logging.getLogger(__name__)

# The jobs of this pipeline, by the names their tasks register (``certificates.tasks``).
RENDER_CHUNK = "certificates.render_chunk"
FINALIZE_BATCH = "certificates.finalize_batch"
EMAIL_CERTIFICATE = "certificates.email_certificate"

# A design error (anything that goes wrong while filling in or laying out the design, bounded in
# time and size by ``certificates.rendering``) will not go away on a retry: the certificate fails
# at once. Anything else (storage, database, a worker killed by a time limit) is retried until
# the attempts run out.
DESIGN_ERRORS = (RenderError,)


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.CERTIFICATE_LEASE_SECONDS)


# --- Sending the work -------------------------------------------------------------------------


def batch_dispatch(*, batch_id: int, only_unleased: bool = False) -> int:
    """Send the batch's pending certificates to the workers in chunks, or ``finalize_batch``
    when none is pending; returns the messages sent. A broker that is down is logged, not
    raised: the rows are committed, and the sweep sends them when the broker is back."""
    pending = Certificate.objects.filter(batch_id=batch_id, status=CertificateStatus.PENDING)
    if only_unleased:
        pending = pending.filter(lease_free("claimed_until", now=timezone.now()))
    ids = list(pending.order_by("pk").values_list("pk", flat=True))
    if not ids:
        return int(send(FINALIZE_BATCH, batch_id))
    chunk = settings.CERTIFICATE_CHUNK_SIZE
    sent = 0
    for start in range(0, len(ids), chunk):
        if not send(RENDER_CHUNK, batch_id, ids[start : start + chunk]):
            break  # the broker is down: the sweep sends the rest
        sent += 1
    return sent


def certificate_dispatch(*, certificate_id: int) -> bool:
    """Send one certificate outside a batch (a retry, a re-issue) to the workers."""
    return send(RENDER_CHUNK, None, [certificate_id])


def batches_sweep(*, stalled_after: dt.timedelta | None = None) -> int:
    """Send again what batches that made no progress for a while still have pending; returns
    how many batches. Run by beat, and by a worker when it starts."""
    stalled_after = stalled_after if stalled_after is not None else _lease()
    cutoff = timezone.now() - stalled_after
    stalled = CertificateBatch.objects.filter(
        status__in=(BatchStatus.QUEUED, BatchStatus.RUNNING), updated_at__lte=cutoff
    ).values_list("pk", flat=True)
    count = 0
    for batch_id in stalled:
        CertificateBatch.objects.filter(pk=batch_id).update(updated_at=timezone.now())
        batch_dispatch(batch_id=batch_id, only_unleased=True)
        count += 1
    return count


# --- One certificate: claim, render, store ---------------------------------------------------


def certificate_claim(certificate_id: int) -> bool:
    """Lease one pending certificate for this worker; ``False`` when it is done, leased by a
    live worker, or out of attempts (then it is failed with its last reason)."""
    now = timezone.now()
    pending = Certificate.objects.filter(pk=certificate_id, status=CertificateStatus.PENDING)
    taken = claim(
        pending.filter(attempts__lt=settings.CERTIFICATE_MAX_ATTEMPTS),
        field="claimed_until",
        lease=_lease(),
        now=now,
        attempts=F("attempts") + 1,
    )
    if taken:
        return True
    _give_up_when_exhausted(certificate_id, now=now)
    return False


def _give_up_when_exhausted(certificate_id: int, *, now: dt.datetime) -> None:
    """Fail a pending certificate whose every attempt ended without a result, so its batch can
    finish; the coordinator sees why and may retry it (which resets the attempts)."""
    exhausted = Certificate.objects.filter(
        lease_free("claimed_until", now=now),
        pk=certificate_id,
        status=CertificateStatus.PENDING,
        attempts__gte=settings.CERTIFICATE_MAX_ATTEMPTS,
    )
    last = exhausted.values_list("error", flat=True).first()
    if last is None:
        return
    reason = _("Gave up after %(n)s attempts.") % {"n": settings.CERTIFICATE_MAX_ATTEMPTS}
    if exhausted.update(
        status=CertificateStatus.FAILED,
        claimed_until=None,
        error=f"{reason} {last}".strip()[:2000],
    ):
        logger.error("Certificate %s failed: %s %s", certificate_id, reason, last)


def _assets(certificate: Certificate) -> dict[str, bytes]:
    assets = {}
    images = [s.get("image") for s in certificate.snapshot.get("signatories", [])]
    wanted = {int(name.split("-", 1)[1]) for name in images if name}
    for signatory in Signatory.objects.filter(pk__in=wanted).exclude(signature=""):
        with signatory.signature.open("rb") as handle:
            assets[f"signature-{signatory.pk}"] = handle.read()
    return assets


def certificate_pdf(certificate: Certificate) -> bytes:
    """Render the certificate's frozen snapshot with its design (no database writes). Reading
    the signature images from storage may fail and be retried; anything that goes wrong in the
    render itself is the design's (``RenderError``, bounded in time and size)."""
    assets = _assets(certificate)
    html, css, _design = design_source(certificate.design)
    try:
        context = {
            "c": certificate.snapshot,
            "qr": qr_svg_data_uri(certificate.snapshot["verify_url"]),
        }
    except (KeyError, TypeError, ValueError) as error:
        raise RenderError(f"The certificate's printed content is incomplete: {error}") from error
    return renderer().render_pdf(html_template=html, css=css, context=context, assets=assets)


def _pdf_name(certificate: Certificate, digest: str) -> str:
    return f"certificates/{certificate.enrolment.course_id}/{certificate.serial}-{digest[:12]}.pdf"


def certificate_store(certificate: Certificate, pdf: bytes) -> bool:
    """Save the PDF under a name carrying its digest and mark the certificate valid; ``False``
    when a duplicate delivery finished first (re-checked under the row lock)."""
    digest = hashlib.sha256(pdf).hexdigest()
    name = _pdf_name(certificate, digest)
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.status != CertificateStatus.PENDING:
            return False
        saved = (
            name if default_storage.exists(name) else default_storage.save(name, ContentFile(pdf))
        )
        Certificate.objects.filter(pk=certificate.pk).update(
            pdf=saved,
            sha256=digest,
            status=CertificateStatus.VALID,
            issued_at=timezone.now(),
            claimed_until=None,
            error="",
        )
    return True


def certificate_render(*, certificate_id: int) -> bool:
    """Claim, render and store one pending certificate; ``True`` when this call issued it.

    A design error fails the certificate with the reason at once. Any other error releases the
    lease with the reason kept and propagates, so the task retries; after the last attempt the
    claim fails the certificate with that reason.
    """
    if not certificate_claim(certificate_id):
        return False
    certificate = Certificate.objects.select_related("design", "enrolment").get(pk=certificate_id)
    try:
        pdf = certificate_pdf(certificate)
    except DESIGN_ERRORS as error:
        Certificate.objects.filter(pk=certificate_id, status=CertificateStatus.PENDING).update(
            status=CertificateStatus.FAILED, error=str(error)[:2000], claimed_until=None
        )
        logger.warning("Certificate %s failed to render: %s", certificate.serial, error)
        return False
    except BaseException as error:
        _release(certificate_id, error)
        raise
    try:
        return certificate_store(certificate, pdf)
    except BaseException as error:
        _release(certificate_id, error)
        raise


def _release(certificate_id: int, error: BaseException) -> None:
    """Give the lease back at once (a retry need not wait for it to run out), keeping the
    reason for the coordinator should the attempts run out."""
    reason = f"{type(error).__name__}: {error}"[:2000]
    Certificate.objects.filter(pk=certificate_id, status=CertificateStatus.PENDING).update(
        claimed_until=None, error=reason
    )


def chunk_render(*, batch_id: int | None, certificate_ids: Iterable[int]) -> int:
    """The render task's work: each certificate of the chunk, then the batch's progress, then
    what follows. Returns how many this call issued."""
    ids = list(certificate_ids)
    issued, errors = 0, []
    for certificate_id in ids:
        try:
            issued += certificate_render(certificate_id=certificate_id)
        except Exception as error:  # one certificate's trouble does not hold up the others
            errors.append(error)
    if batch_id is not None:
        _after_chunk(batch_id, ids)
    if errors:
        raise errors[0]  # the task retries; what was issued is not claimed again
    return issued


def _after_chunk(batch_id: int, ids: list[int]) -> None:
    batch = batch_recount(batch_id=batch_id)
    if batch is None:
        return
    if batch.send_email:
        # Every id of the chunk, not only those issued now: a redelivered chunk whose first
        # delivery issued them but died before sending must still send. Each e-mail is claimed.
        for certificate_id in ids:
            send(EMAIL_CERTIFICATE, certificate_id)
    if not batch.pending and batch.status != BatchStatus.DONE:
        send(FINALIZE_BATCH, batch_id)


def certificates_render(*, certificate_ids: Iterable[int]) -> int:
    """Render certificates in this process, outside any batch bookkeeping (commands, tests)."""
    return sum(certificate_render(certificate_id=pk) for pk in certificate_ids)


# --- The batch: progress and its files -------------------------------------------------------


class Pending(TypedDict):
    """What ``batch_recount`` sets on the batch it returns."""

    pending: int


def batch_recount(*, batch_id: int) -> "WithAnnotations[CertificateBatch, Pending] | None":
    """Recount the batch's progress from its rows; the batch, with ``pending`` set, or ``None``
    for a batch that no longer exists (a stale message)."""
    counts = Certificate.objects.filter(batch_id=batch_id).aggregate(
        done=Count("pk", filter=Q(status__in=FINISHED_STATUSES)),
        failed=Count("pk", filter=Q(status=CertificateStatus.FAILED)),
        pending=Count("pk", filter=Q(status=CertificateStatus.PENDING)),
    )
    batch = cast(
        "WithAnnotations[CertificateBatch, Pending] | None",
        CertificateBatch.objects.filter(pk=batch_id).first(),
    )
    if batch is None:
        logger.warning("Batch %s does not exist; message ignored", batch_id)
        return None
    fields = {"done": counts["done"], "failed": counts["failed"]}
    if batch.status == BatchStatus.QUEUED and (counts["done"] or counts["failed"]):
        fields["status"] = BatchStatus.RUNNING
    if counts["pending"] and batch.status in (BatchStatus.DONE, BatchStatus.FAILED):
        fields["status"] = BatchStatus.RUNNING  # a retried certificate reopens the batch
    CertificateBatch.objects.filter(pk=batch_id).update(**fields, updated_at=timezone.now())
    batch.refresh_from_db()
    batch.pending = counts["pending"]
    return batch


def _zip_entry_name(certificate: Certificate) -> str:
    name = slugify(certificate.snapshot.get("holder", {}).get("name", ""), allow_unicode=True)
    return f"{certificate.serial}-{name}.pdf" if name else f"{certificate.serial}.pdf"


def _finalize_lease(batch_id: int) -> dt.timedelta:
    """Long enough to bundle the batch (about 20 ms per certificate), short enough that a
    worker dying mid-bundle delays the batch by minutes, not hours."""
    total = CertificateBatch.objects.filter(pk=batch_id).values_list("total", flat=True).first()
    return _lease() + dt.timedelta(seconds=(total or 0) * 0.02)


def batch_finalize(*, batch_id: int, rebuild: bool = False) -> bool:
    """Once nothing is pending: write the ZIP (one PDF per issued certificate) and the merged
    PDF in roster order, and mark the batch done (or failed when nothing could be rendered).
    ``False`` when certificates are still pending, another worker is finalizing it, or it is
    done already (unless ``rebuild``: an explicit request to write the files again)."""
    batch = batch_recount(batch_id=batch_id)
    # Done already: a second finalize message (every chunk that ends with nothing pending sends
    # one) must not build the files again. A retried certificate reopens the batch first.
    if batch is None or batch.pending or (batch.status == BatchStatus.DONE and not rebuild):
        return False
    if not claim(
        CertificateBatch.objects.filter(pk=batch_id),
        field="finalizing_until",
        lease=_finalize_lease(batch_id),
    ):
        return False
    if Certificate.objects.filter(batch_id=batch_id, status=CertificateStatus.PENDING).exists():
        CertificateBatch.objects.filter(pk=batch_id).update(finalizing_until=None)
        return False
    # A certificate whose PDF was deleted (its trainee's personal data erased) stays in the
    # registry for verification but has nothing to bundle.
    issued = (
        Certificate.objects.filter(batch_id=batch_id, status__in=FINISHED_STATUSES)
        .exclude(pdf="")
        .select_related("enrolment__participant")
        .order_by("enrolment__participant__last_name", "enrolment__participant__first_name", "pk")
    )
    fields: dict[str, Any] = {"finalizing_until": None}
    if issued.exists():
        zip_name, merged_name = _write_bundle(batch, issued.iterator(chunk_size=500))
        fields.update(zip_file=zip_name, merged_pdf=merged_name, status=BatchStatus.DONE)
    else:
        fields.update(status=BatchStatus.FAILED, error=_("No certificate could be rendered."))
    fields["finished_at"] = timezone.now()
    CertificateBatch.objects.filter(pk=batch_id).update(**fields)
    return True


def _write_bundle(batch: CertificateBatch, issued: Iterable[Certificate]) -> tuple[str, str]:
    """Stream every PDF from storage through a temporary folder into the ZIP, then merge them
    with qpdf (pikepdf, about 7x faster than pypdf) in a child process, so this worker's memory
    stays flat whatever the batch size (see ``certificates.merge``)."""
    stem = f"batches/{batch.pk}/certificates-{batch.course.code}-{batch.pk}"
    with tempfile.TemporaryDirectory(prefix=f"batch-{batch.pk}-") as folder:
        work = Path(folder)
        zip_path, merged_path, paths = work / "bundle.zip", work / "merged.pdf", []
        with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            for certificate in issued:
                path = work / f"{certificate.pk}.pdf"
                with certificate.pdf.open("rb") as source, path.open("wb") as target:
                    shutil.copyfileobj(source, target)
                bundle.write(path, _zip_entry_name(certificate))
                paths.append(path)
        merge_in_child(merged_path, paths)
        for old in (batch.zip_file, batch.merged_pdf):
            if old.name:
                default_storage.delete(old.name)
        with zip_path.open("rb") as handle:
            zip_name = default_storage.save(f"{stem}.zip", File(handle))
        with merged_path.open("rb") as handle:
            merged_name = default_storage.save(f"{stem}.pdf", File(handle))
    return zip_name, merged_name


# --- E-mail ------------------------------------------------------------------------------------


def certificate_email(*, certificate_id: int) -> bool:
    """E-mail the PDF to the trainee once. The row is claimed before sending, so a repeated
    message never sends twice; a failed send releases the claim for a later try."""
    certificate = Certificate.objects.select_related("enrolment__participant").get(
        pk=certificate_id
    )
    address = certificate.enrolment.participant.email
    if certificate.status != CertificateStatus.VALID or not address:
        return False
    if not Certificate.objects.filter(pk=certificate_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    ):
        return False
    snapshot = certificate.snapshot
    message = EmailMessage(
        subject=f"{snapshot['sides'][0]['title']}: {snapshot['course']['title']}",
        body=(
            f"{snapshot['holder']['name']},\n\n{snapshot['sides'][0]['title']} — "
            f"{snapshot['course']['title']}.\n{snapshot['verify_url']}\n"
        ),
        to=[address],
    )
    with certificate.pdf.open("rb") as handle:
        message.attach(f"{certificate.serial}.pdf", handle.read(), "application/pdf")
    try:
        message.send()
    except Exception:
        Certificate.objects.filter(pk=certificate_id).update(emailed_at=None)
        raise
    return True
