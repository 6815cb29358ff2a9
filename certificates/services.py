"""Issuing, rendering, revoking and re-issuing certificates.

The database is the source of truth, the broker only a hint. Delivery is at least once and
workers die, so every step is safe to repeat:

* ``batch_create`` locks the course row, creates one *pending* certificate per eligible
  enrolment (serial, verification code, frozen snapshot and its signature included) and only then,
  after commit, dispatches chunks of ids. A partial unique index allows one live certificate per
  enrolment, so a second batch or a duplicated request can never issue two.
* ``certificate_render`` leases a pending row with a conditional update before rendering and
  re-checks it under a row lock before saving, so a duplicated message renders at most once more
  and saves nothing twice; a dead worker's lease simply expires.
* ``batch_refresh`` recounts progress from the rows (never ``+= 1``, which a redelivered message
  would double), and finalises the batch (ZIP + merged PDF) once nothing is pending.
* ``batches_sweep`` re-dispatches what a stalled batch still has pending: the cure for lost
  messages, a Redis restart or a killed worker.
"""

import datetime as dt
import hashlib
import logging
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.actor import actor
from core.errors import ConflictError, DomainError
from participants.models import Enrolment
from trainings.models import Course

from . import codes, signing
from .labels import LANGUAGE_CODES
from .merge import merge_in_child
from .models import (
    FINISHED_STATUSES,
    BatchStatus,
    Certificate,
    CertificateBatch,
    CertificateDesign,
    CertificateStatus,
    Signatory,
)
from .rendering import RenderError, builtin_design, qr_svg_data_uri, renderer
from .selectors import eligible_enrolments
from .snapshot import build_snapshot

logger = logging.getLogger(__name__)

BUILTIN_DESIGN = "classic"


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.CERTIFICATE_LEASE_SECONDS)


# --- Who gets a certificate ----------------------------------------------------------------


def certificate_language(enrolment: Enrolment, course: Course, batch_language: str = "") -> str:
    """Per trainee first, then the batch's choice, then the course's working languages."""
    for choice in (enrolment.certificate_language, batch_language):
        if choice in LANGUAGE_CODES:
            return choice
    languages = set(course.languages or [])
    if {"ar", "en"} <= languages:
        return "ar-en"
    for language in ("en", "ru", "ar"):
        if language in languages:
            return language
    return "en"


def default_design(course: Course) -> CertificateDesign | None:
    return (
        CertificateDesign.objects.filter(is_active=True)
        .filter(Q(programme=course.programme) | Q(programme__isnull=True))
        .order_by("-is_default", "programme_id", "pk")
        .first()
    )


def _design_source(design: CertificateDesign | None) -> tuple[str, str, dict]:
    if design is None:
        html, css = builtin_design(BUILTIN_DESIGN)
        return html, css, {"id": None, "name": BUILTIN_DESIGN, "version": 1}
    return (
        design.html,
        design.css,
        {"id": design.pk, "name": design.name, "version": design.version},
    )


def _signatories(course: Course) -> list[dict]:
    chosen = Signatory.objects.filter(programme=course.programme_id, is_active=True)
    specific = chosen.filter(courses=course)
    rows = list((specific if specific.exists() else chosen.filter(courses=None))[:3])
    return [
        {"name": s.name, "title": s.title, "image": f"signature-{s.pk}" if s.signature else ""}
        for s in rows
    ]


def _serial_prefix(course: Course) -> str:
    return f"{course.programme.acronym}-{course.start_date.year}-{course.code}-".upper()


def _next_serials(course: Course, count: int) -> list[str]:
    """Serials continue from the highest already used for the course (the course row is locked)."""
    prefix = _serial_prefix(course)
    used = Certificate.objects.filter(serial__startswith=prefix).values_list("serial", flat=True)
    numbers = [int(m[1]) for s in used if (m := re.fullmatch(r"(\d+)", s.removeprefix(prefix)))]
    start = max(numbers, default=0) + 1
    return [f"{prefix}{n:04d}" for n in range(start, start + count)]


def _new_certificate(
    *, enrolment, course, modules, signatories, language, serial, design, batch=None
) -> Certificate:
    design_version = _design_source(design)[2]
    code = codes.new_code()
    snapshot = build_snapshot(
        enrolment=enrolment,
        course=course,
        modules=modules,
        signatories=signatories,
        language=language,
        serial=serial,
        code=code,
        issued_on=timezone.localdate(),
        design=design_version,
    )
    key_id, signature = signing.sign(snapshot)
    return Certificate(
        enrolment=enrolment,
        batch=batch,
        serial=serial,
        verification_code=code,
        status=CertificateStatus.PENDING,
        language=language,
        design=design,
        snapshot=snapshot,
        key_id=key_id,
        signature=signature,
    )


# --- Issuing a batch -----------------------------------------------------------------------


@transaction.atomic
def batch_create(
    *,
    course: Course,
    by: AbstractBaseUser | None,
    language: str = "",
    design: CertificateDesign | None = None,
    send_email: bool = False,
) -> CertificateBatch:
    """Create a batch with one pending certificate per eligible enrolment; dispatch on commit."""
    if language and language not in LANGUAGE_CODES:
        raise DomainError(_("Unknown certificate language: %s") % language, field="language")
    # Locking the course serialises two coordinators pressing "issue" at once.
    course = Course.objects.select_for_update().select_related("programme").get(pk=course.pk)
    enrolments = list(eligible_enrolments(course))
    if not enrolments:
        raise ConflictError(
            _("Every trainee who completed this course already has a certificate."),
        )
    design = design or default_design(course)
    batch = CertificateBatch.objects.create(
        course=course,
        status=BatchStatus.QUEUED,
        total=len(enrolments),
        language=language,
        design=design,
        send_email=send_email,
        created_by=actor(by),
    )
    modules = list(course.modules.order_by("order", "code"))
    signatories = _signatories(course)
    serials = _next_serials(course, len(enrolments))
    Certificate.objects.bulk_create(
        [
            _new_certificate(
                enrolment=enrolment,
                course=course,
                modules=modules,
                signatories=signatories,
                language=certificate_language(enrolment, course, language),
                serial=serial,
                design=design,
                batch=batch,
            )
            for enrolment, serial in zip(enrolments, serials, strict=True)
        ],
        batch_size=500,
    )
    transaction.on_commit(lambda: dispatch_batch(batch_id=batch.pk))
    return batch


def dispatch_batch(*, batch_id: int, only_unleased: bool = False) -> int:
    """Send the batch's pending certificates to the workers in chunks; returns messages sent.

    A broker that is down is logged, not raised: the rows are committed, and the sweep sends them
    when the broker is back.
    """
    from .tasks import render_chunk

    pending = Certificate.objects.filter(batch_id=batch_id, status=CertificateStatus.PENDING)
    if only_unleased:
        pending = pending.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=timezone.now())
        )
    ids = list(pending.order_by("pk").values_list("pk", flat=True))
    chunk = settings.CERTIFICATE_CHUNK_SIZE
    sent = 0
    try:
        for start in range(0, len(ids), chunk):
            render_chunk.delay(batch_id, ids[start : start + chunk])
            sent += 1
        if not ids:
            from .tasks import finalize_batch

            finalize_batch.delay(batch_id)
            sent += 1
    except Exception:  # broker down: kombu raises OperationalError and friends
        logger.exception("Could not dispatch batch %s; the sweep will retry", batch_id)
    return sent


# --- Rendering one certificate -------------------------------------------------------------


def _claim(certificate_id: int) -> bool:
    now = timezone.now()
    return bool(
        Certificate.objects.filter(pk=certificate_id, status=CertificateStatus.PENDING)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + _lease(), attempts=F("attempts") + 1)
    )


def _assets(certificate: Certificate) -> dict[str, bytes]:
    assets = {}
    images = [s.get("image") for s in certificate.snapshot.get("signatories", [])]
    wanted = {int(name.split("-", 1)[1]) for name in images if name}
    for signatory in Signatory.objects.filter(pk__in=wanted).exclude(signature=""):
        with signatory.signature.open("rb") as handle:
            assets[f"signature-{signatory.pk}"] = handle.read()
    return assets


def certificate_pdf_bytes(certificate: Certificate) -> bytes:
    """Render the certificate's frozen snapshot with its design (no database writes)."""
    html, css, _design = _design_source(certificate.design)
    context = {"c": certificate.snapshot, "qr": qr_svg_data_uri(certificate.snapshot["verify_url"])}
    return renderer().render_pdf(
        html_template=html, css=css, context=context, assets=_assets(certificate)
    )


def _pdf_name(certificate: Certificate, digest: str) -> str:
    return f"certificates/{certificate.enrolment.course_id}/{certificate.serial}-{digest[:12]}.pdf"


def certificate_render(*, certificate_id: int) -> bool:
    """Render and store one pending certificate. Returns True when this call issued it.

    A certificate that is already issued, or leased by another worker, is left alone. A design
    error marks it failed with the reason; storage or database errors propagate so the task
    retries (the lease is released first).
    """
    if not _claim(certificate_id):
        return False
    certificate = Certificate.objects.select_related("design", "enrolment").get(pk=certificate_id)
    try:
        pdf = certificate_pdf_bytes(certificate)
    except (RenderError, ValueError, KeyError, TypeError) as error:
        Certificate.objects.filter(pk=certificate_id, status=CertificateStatus.PENDING).update(
            status=CertificateStatus.FAILED, error=str(error)[:2000], claimed_until=None
        )
        logger.warning("Certificate %s failed to render: %s", certificate.serial, error)
        return False
    except Exception:
        Certificate.objects.filter(pk=certificate_id).update(claimed_until=None)
        raise
    return _store(certificate, pdf)


def _store(certificate: Certificate, pdf: bytes) -> bool:
    digest = hashlib.sha256(pdf).hexdigest()
    name = _pdf_name(certificate, digest)
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.status != CertificateStatus.PENDING:
            return False  # a duplicate delivery finished first
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


def certificates_render(*, certificate_ids: Iterable[int]) -> int:
    return sum(certificate_render(certificate_id=pk) for pk in certificate_ids)


# --- Progress, completion, sweep -----------------------------------------------------------


def batch_refresh(*, batch_id: int) -> CertificateBatch | None:
    """Recount the batch from its rows and finalise it when nothing is pending."""
    counts = Certificate.objects.filter(batch_id=batch_id).aggregate(
        done=Count("pk", filter=Q(status__in=FINISHED_STATUSES)),
        failed=Count("pk", filter=Q(status=CertificateStatus.FAILED)),
        pending=Count("pk", filter=Q(status=CertificateStatus.PENDING)),
    )
    batch = CertificateBatch.objects.filter(pk=batch_id).first()
    if batch is None:  # a message about a batch that no longer exists: nothing to do
        logger.warning("Batch %s does not exist; message ignored", batch_id)
        return None
    fields = {"done": counts["done"], "failed": counts["failed"]}
    if batch.status == BatchStatus.QUEUED and (counts["done"] or counts["failed"]):
        fields["status"] = BatchStatus.RUNNING
    if counts["pending"] and batch.status in (BatchStatus.DONE, BatchStatus.FAILED):
        fields["status"] = BatchStatus.RUNNING  # a retried certificate reopens the batch
    CertificateBatch.objects.filter(pk=batch_id).update(**fields, updated_at=timezone.now())
    if not counts["pending"] and batch.status != BatchStatus.DONE:
        batch_finalize(batch_id=batch_id)
    batch.refresh_from_db()
    return batch


def _zip_entry_name(certificate: Certificate) -> str:
    name = slugify(certificate.snapshot.get("holder", {}).get("name", ""), allow_unicode=True)
    return f"{certificate.serial}-{name}.pdf" if name else f"{certificate.serial}.pdf"


def _finalize_lease(batch_id: int) -> dt.timedelta:
    """Long enough to bundle the batch (about 20 ms per certificate), short enough that a
    worker dying mid-bundle delays the batch by minutes, not hours."""
    total = CertificateBatch.objects.filter(pk=batch_id).values_list("total", flat=True).first()
    return _lease() + dt.timedelta(seconds=(total or 0) * 0.02)


def batch_finalize(*, batch_id: int) -> bool:
    """Write the ZIP (one PDF per issued certificate) and the merged PDF in roster order."""
    now = timezone.now()
    claimed = (
        CertificateBatch.objects.filter(pk=batch_id)
        .filter(Q(finalizing_until__isnull=True) | Q(finalizing_until__lt=now))
        .update(finalizing_until=now + _finalize_lease(batch_id))
    )
    if not claimed:
        return False
    batch = CertificateBatch.objects.select_related("course").get(pk=batch_id)
    if Certificate.objects.filter(batch=batch, status=CertificateStatus.PENDING).exists():
        CertificateBatch.objects.filter(pk=batch_id).update(finalizing_until=None)
        return False
    # A certificate whose PDF was deleted (its trainee's personal data erased) stays in the
    # registry for verification but has nothing to bundle.
    issued = (
        Certificate.objects.filter(batch=batch, status__in=FINISHED_STATUSES)
        .exclude(pdf="")
        .select_related("enrolment__participant")
        .order_by("enrolment__participant__last_name", "enrolment__participant__first_name", "pk")
    )
    fields = {"finalizing_until": None}
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
            if old:
                default_storage.delete(old.name)
        with zip_path.open("rb") as handle:
            zip_name = default_storage.save(f"{stem}.zip", File(handle))
        with merged_path.open("rb") as handle:
            merged_name = default_storage.save(f"{stem}.pdf", File(handle))
    return zip_name, merged_name


def batches_sweep(*, stalled_after: dt.timedelta | None = None) -> int:
    """Re-dispatch batches that made no progress for a while; returns how many."""
    stalled_after = stalled_after if stalled_after is not None else _lease()
    cutoff = timezone.now() - stalled_after
    stalled = CertificateBatch.objects.filter(
        status__in=(BatchStatus.QUEUED, BatchStatus.RUNNING), updated_at__lte=cutoff
    ).values_list("pk", flat=True)
    count = 0
    for batch_id in stalled:
        CertificateBatch.objects.filter(pk=batch_id).update(updated_at=timezone.now())
        dispatch_batch(batch_id=batch_id, only_unleased=True)
        count += 1
    return count


# --- One certificate: retry, e-mail, revoke, re-issue --------------------------------------


@transaction.atomic
def certificate_retry(*, certificate: Certificate, by: AbstractBaseUser | None) -> Certificate:
    """Put a failed certificate back in the queue."""
    updated = Certificate.objects.filter(pk=certificate.pk, status=CertificateStatus.FAILED).update(
        status=CertificateStatus.PENDING, error="", claimed_until=None, attempts=0
    )
    if not updated:
        raise ConflictError(_("Only a failed certificate can be retried."))
    certificate.refresh_from_db()
    batch_id = certificate.batch_id
    if batch_id:
        CertificateBatch.objects.filter(pk=batch_id).update(status=BatchStatus.RUNNING)
        transaction.on_commit(lambda: dispatch_batch(batch_id=batch_id, only_unleased=True))
    else:
        transaction.on_commit(lambda: _dispatch_single(certificate.pk))
    return certificate


def _dispatch_single(certificate_id: int) -> None:
    from .tasks import render_chunk

    try:
        render_chunk.delay(None, [certificate_id])
    except Exception:
        logger.exception("Could not dispatch certificate %s; the sweep will retry", certificate_id)


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


@transaction.atomic
def certificate_revoke(
    *, certificate: Certificate, reason: str, by: AbstractBaseUser | None
) -> Certificate:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for revoking this certificate."), field="reason")
    updated = Certificate.objects.filter(pk=certificate.pk, status=CertificateStatus.VALID).update(
        status=CertificateStatus.REVOKED,
        revoked_at=timezone.now(),
        revoked_reason=reason[:500],
        revoked_by=actor(by),
    )
    if not updated:
        raise ConflictError(_("Only a valid certificate can be revoked."))
    certificate.refresh_from_db()
    logger.info("Certificate %s revoked by %s: %s", certificate.serial, by, reason)
    return certificate


@transaction.atomic
def certificate_reissue(
    *, certificate: Certificate, reason: str, by: AbstractBaseUser | None
) -> Certificate:
    """Supersede a valid (or revoked) certificate with a new one printed from current data."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for re-issuing this certificate."), field="reason")
    old = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("enrolment__participant")
        .get(pk=certificate.pk)
    )
    if old.status not in (CertificateStatus.VALID, CertificateStatus.REVOKED):
        raise ConflictError(_("Only a valid or revoked certificate can be re-issued."))
    if old.enrolment.participant.is_erased:
        raise ConflictError(
            _("This trainee's personal data was erased: a new certificate would print no name.")
        )
    course = (
        Course.objects.select_for_update()
        .select_related("programme")
        .get(pk=old.enrolment.course_id)
    )
    was_valid = old.status == CertificateStatus.VALID
    old.status = CertificateStatus.SUPERSEDED
    if was_valid:
        old.revoked_at = timezone.now()
        old.revoked_by = actor(by)
    old.revoked_reason = reason[:500]
    old.save(update_fields=["status", "revoked_at", "revoked_by", "revoked_reason", "updated_at"])
    new = _new_certificate(
        enrolment=Enrolment.objects.select_related("participant").get(pk=old.enrolment_id),
        course=course,
        modules=list(course.modules.order_by("order", "code")),
        signatories=_signatories(course),
        language=old.language,
        serial=_reissue_serial(old.serial),
        design=old.design,
    )
    new.save()
    old.superseded_by = new
    old.save(update_fields=["superseded_by"])
    transaction.on_commit(lambda: _dispatch_single(new.pk))
    logger.info("Certificate %s re-issued as %s by %s: %s", old.serial, new.serial, by, reason)
    return new


def _reissue_serial(serial: str) -> str:
    """SRP-2016-ERB-0007 → SRP-2016-ERB-0007-R2, then -R3, ..."""
    base = re.sub(r"-R\d+$", "", serial)
    editions = Certificate.objects.filter(serial__startswith=f"{base}-R").values_list(
        "serial", flat=True
    )
    numbers = [int(m[1]) for s in editions if (m := re.fullmatch(r".*-R(\d+)", s))]
    return f"{base}-R{max(numbers, default=1) + 1}"


# --- Designs --------------------------------------------------------------------------------


def design_save(*, design: CertificateDesign) -> CertificateDesign:
    """Save a design, checking it renders, and bump its version when the HTML or CSS changed
    (each certificate records the version it was printed with)."""
    from .preview import sample_context

    try:
        renderer().render_html(design.html, sample_context("en"))
    except RenderError as error:
        raise DomainError(error.args[0], field="html") from error
    if design.pk:
        before = CertificateDesign.objects.filter(pk=design.pk).values("html", "css").first()
        if before and (before["html"], before["css"]) != (design.html, design.css):
            design.version += 1
    design.save()
    return design
