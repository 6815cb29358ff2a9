"""Everything held about a trainee, as plain data: their fields, organisation, enrolments with
status history, attendance, scores, teach-back (metadata), certificates and the audit entries
about them. Reads only; ``services.participant_data_export`` logs each export."""

from decimal import Decimal

from django.db.models import Prefetch, Q
from django.utils import timezone

from accounts.models import AuditEntry
from certificates.models import Certificate
from certificates.snapshot import verify_url
from participants.models import Attendance, Enrolment, EnrolmentStatusChange, Participant


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _number(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def _audit_condition(participant: Participant) -> Q:
    """Audit entries about the participant or about one of their enrolments."""
    enrolment_ids = [str(pk) for pk in participant.enrolments.values_list("pk", flat=True)]
    return Q(object_type=Participant._meta.label_lower, object_id=str(participant.pk)) | Q(
        object_type=Enrolment._meta.label_lower, object_id__in=enrolment_ids
    )


def participant_audit_entries(participant: Participant):
    return AuditEntry.objects.filter(_audit_condition(participant)).order_by("-at", "-pk")


def participant_enrolments(participant: Participant):
    """The participant's enrolments with everything the export shows: six queries in all."""
    return (
        Enrolment.objects.filter(participant=participant)
        .select_related("course", "teachback__module", "status_changed_by")
        .prefetch_related(
            Prefetch(
                "history",
                queryset=EnrolmentStatusChange.objects.select_related("changed_by").order_by(
                    "changed_at", "pk"
                ),
            ),
            Prefetch("attendance", queryset=Attendance.objects.order_by("date")),
            Prefetch("certificates", queryset=Certificate.objects.order_by("created_at", "pk")),
        )
        .order_by("course__start_date", "pk")
    )


def _teachback(enrolment: Enrolment) -> dict | None:
    teachback = getattr(enrolment, "teachback", None)
    if teachback is None:
        return None
    return {
        "title": teachback.title,
        "module": teachback.module.code if teachback.module_id else None,
        "file_name": teachback.original_name,
        "file_size": teachback.size,
        "has_file": bool(teachback.file),
        "score": _number(teachback.score),
        "evaluator": teachback.evaluator,
        "evaluated_on": _iso(teachback.evaluated_at),
        "comments": teachback.comments,
    }


def _enrolment(enrolment: Enrolment) -> dict:
    pre, post = enrolment.pre_test_score, enrolment.post_test_score
    course = enrolment.course
    return {
        "id": enrolment.pk,
        "course": {
            "id": course.pk,
            "code": course.code,
            "title": course.title,
            "start_date": _iso(course.start_date),
            "end_date": _iso(course.end_date),
        },
        "status": enrolment.status,
        # In the reader's language, with the codes it is made of (``participants.reasons``).
        "status_reason": enrolment.status_reason_text,
        "status_reason_codes": enrolment.status_reason_codes,
        "status_changed_at": _iso(enrolment.status_changed_at),
        "enrolled_at": _iso(enrolment.created_at),
        "pre_test_score": _number(pre),
        "post_test_score": _number(post),
        "knowledge_gain": _number(post - pre if pre is not None and post is not None else None),
        "certificate_language": enrolment.certificate_language,
        "status_history": [
            {
                "from": change.from_status,
                "to": change.to_status,
                "reason": change.reason_text,
                "reason_codes": change.reason_codes,
                "at": _iso(change.changed_at),
                "by": change.changed_by.get_username() if change.changed_by else None,
            }
            for change in enrolment.history.all()
        ],
        "attendance": [
            {"date": _iso(mark.date), "present": mark.present}
            for mark in enrolment.attendance.all()
        ],
        "teachback": _teachback(enrolment),
        "certificates": [
            {
                "serial": certificate.serial,
                "status": certificate.status,
                "language": certificate.language,
                "issued_at": _iso(certificate.issued_at),
                "verification_code": certificate.verification_code,
                "verify_url": verify_url(certificate.verification_code),
                "revoked_at": _iso(certificate.revoked_at),
                "revoked_reason": certificate.revoked_reason,
                "has_pdf": bool(certificate.pdf),
            }
            for certificate in enrolment.certificates.all()
        ],
    }


def participant_data(participant: Participant) -> dict:
    """Everything held about one participant, as plain JSON data. Reads only."""
    person = Participant.objects.select_related("organisation__parent").get(pk=participant.pk)
    organisation = person.organisation
    return {
        "exported_at": timezone.now().isoformat(),
        "participant": {
            "id": person.pk,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "native_name": person.native_name,
            "gender": person.gender,
            "email": person.email,
            "phone": person.phone,
            "position": person.position,
            "nationality": person.country.code if person.country else "",
            "consent_given": person.consent_given,
            "consent_date": _iso(person.consent_date),
            "notes": person.notes,
            "registered_at": _iso(person.created_at),
            "updated_at": _iso(person.updated_at),
        },
        "organisation": None
        if organisation is None
        else {
            "id": organisation.pk,
            "name": organisation.name,
            "native_name": organisation.native_name,
            "acronym": organisation.acronym,
            "country": organisation.country.code if organisation.country else "",
            "part_of": organisation.parent.name if organisation.parent is not None else None,
        },
        "enrolments": [_enrolment(e) for e in participant_enrolments(person)],
        "audit_entries": [
            {
                "at": _iso(entry.at),
                "action": entry.action,
                "by": entry.actor_name or None,
                "summary": entry.summary,
            }
            for entry in participant_audit_entries(person)
        ],
    }
