"""Input and output shapes of organisations, trainees, enrolments and attendance.

Field names follow the import columns (DESIGN.md). Relations are ids, countries ISO codes.
Nothing is saved here: the viewsets call ``participants.services``.
"""

from typing import Any

from django.contrib.auth.models import User
from django_countries.serializers import CountryFieldMixin
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.models import MAX_ID
from trainings.languages import DOCUMENT_LANGUAGE_CHOICES
from trainings.models import Course
from trainings.serializers import CourseSerializer as CatalogueCourseSerializer

from . import reasons, visibility
from .models import (
    Enrolment,
    EnrolmentStatus,
    EnrolmentStatusChange,
    Organisation,
    Participant,
)


class OrganisationSerializer(CountryFieldMixin, serializers.ModelSerializer):
    participant_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "native_name",
            "name_ar",
            "name_ru",
            "acronym",
            "kind",
            "country",
            "parent",
            "participant_count",
            "created_at",
            "updated_at",
        ]
        # The unique name is checked on its normalised form by the model (full_clean), which
        # names the organisation already registered.
        validators: list[Any] = []


class ParticipantSerializer(CountryFieldMixin, serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not visibility.sees_everyone(request.user):
            for name in visibility.CONTACT_FIELDS:  # trainers: what teaching needs, no more
                data.pop(name, None)
        return data

    class Meta:
        model = Participant
        fields = [
            "id",
            "first_name",
            "last_name",
            "native_name",
            "full_name",
            "gender",
            "email",
            "phone",
            "organisation",
            "position",
            "country",
            "consent_given",
            "consent_date",
            "notes",
            "created_at",
            "updated_at",
        ]
        validators: list[Any] = []


class ReasonCodeSerializer(serializers.Serializer):
    """A reason the system gave, as a code with its parameters (``participants.reasons``)."""

    code = serializers.ChoiceField(choices=sorted(reasons.CATALOGUE), read_only=True)
    params = serializers.DictField(
        read_only=True,
        help_text="The numbers and names the words are made of, e.g. `attendance_short`: "
        "`{attended, days, required, share}`.",
    )


REASON_TEXT_HELP = (
    "Why, in words: the coded reasons in the request's language (`Accept-Language`; English "
    "when none is asked for), then any text a person typed, as typed."
)


class EnrolmentSerializer(serializers.ModelSerializer):
    """An enrolment as clients read and change it. The participant and the course are fixed
    once enrolled; ``status`` (with ``reason``) goes through ``enrolment_set_status``, where
    final statuses are coordinator-only."""

    reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="Why the status changes, as typed; stored as status_reason.",
    )
    status_reason = serializers.CharField(
        source="status_reason_text", read_only=True, help_text=REASON_TEXT_HELP
    )
    status_reason_codes = ReasonCodeSerializer(
        many=True, read_only=True, help_text="The system's reasons as codes with parameters."
    )
    certificate_language = serializers.ChoiceField(
        choices=[("", "Course default"), *DOCUMENT_LANGUAGE_CHOICES],
        required=False,
        allow_blank=True,
        help_text="Overrides the course's certificate language for this trainee; empty: the "
        "course's.",
    )
    knowledge_gain = serializers.SerializerMethodField(
        help_text="Post-test minus pre-test score, in points; null unless both are recorded."
    )

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "participant",
            "course",
            "status",
            "reason",
            "status_reason",
            "status_reason_codes",
            "status_changed_at",
            "status_changed_by",
            "status_overridden",
            "pre_test_score",
            "post_test_score",
            "knowledge_gain",
            "certificate_language",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "participant",
            "course",
            "status_changed_at",
            "status_changed_by",
            "status_overridden",
        ]

    @extend_schema_field(
        serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True, read_only=True)
    )
    def get_knowledge_gain(self, enrolment: Enrolment):
        return knowledge_gain(enrolment)


def knowledge_gain(enrolment: Enrolment):
    """Post-test minus pre-test score, in points; ``None`` unless both are recorded."""
    if enrolment.pre_test_score is None or enrolment.post_test_score is None:
        return None
    return enrolment.post_test_score - enrolment.pre_test_score


class EnrolmentCreateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Enrolment
        fields = ["participant", "course"]
        # Duplicates are the service's call (409 with a clear message).
        validators: list[Any] = []


class ParticipantImportSerializer(serializers.Serializer):
    """``POST /api/v1/participants/import/`` (multipart)."""

    file = serializers.FileField(
        allow_empty_file=True,
        help_text="CSV (UTF-8, or Windows Arabic cp1256; `,` `;` or tab) or XLSX, at most "
        "5 MB and 20,000 rows. The first row names the columns.",
    )
    dry_run = serializers.BooleanField(
        default=False, help_text="Validate and report only; change nothing."
    )
    skip_invalid = serializers.BooleanField(
        default=False, help_text="Import the valid rows and skip (report) the invalid ones."
    )
    course = serializers.PrimaryKeyRelatedField(
        queryset=Course.objects.all(),
        required=False,
        allow_null=True,
        help_text="Enrol every imported person in this course.",
    )


class OrganisationCandidateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="As registered, with the organisation it is part of.")


class ImportRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The spreadsheet row; the header is row 1.")
    field = serializers.CharField()
    message = serializers.CharField()
    candidates = OrganisationCandidateSerializer(
        many=True,
        required=False,
        help_text="For an `organisation` error: the registered organisations the row may mean "
        "(did you mean …?). Write one of them in the file.",
    )


class ImportRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The spreadsheet row; the header is row 1.")
    action = serializers.ChoiceField(choices=["create", "update", "duplicate", "invalid"])
    participant = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(allow_blank=True)
    message = serializers.CharField(
        allow_blank=True,
        help_text="Why a row is skipped, e.g. `duplicate of row 2`; for an update that moves "
        "the person to another organisation, `organisation: A → B`.",
    )


class ImportReportSerializer(serializers.Serializer):
    """What an import did or, for a dry run or a refused import, would do."""

    # Typed as any field: ImportRefusedSerializer's dry_run may hold messages instead.
    dry_run: serializers.Field = serializers.BooleanField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    skipped = serializers.IntegerField(help_text="Invalid and duplicate rows.")
    errors = ImportRowErrorSerializer(many=True)  # type: ignore[assignment]  # a declared field; DRF's metaclass keeps Serializer.errors
    rows = ImportRowSerializer(many=True)
    ignored_columns = serializers.ListField(child=serializers.CharField())
    new_organisations = serializers.ListField(child=serializers.CharField())
    enrolled = serializers.IntegerField(help_text="New enrolments in `course`.")


@extend_schema_field(
    {"oneOf": [{"type": "boolean"}, {"type": "array", "items": {"type": "string"}}]}
)
class _FlagOrMessagesField(serializers.Field):
    """``dry_run`` of a 400 answer: the report's flag, or the messages about an invalid
    ``dry_run`` in the request (validation errors are keyed by the request's field names)."""


class ImportRefusedSerializer(ImportReportSerializer):
    """A 400 answer of the import: either the report of a file with invalid rows (nothing was
    imported) with ``detail``, or, for a bad request, ``detail`` or per-field messages only."""

    detail = serializers.CharField(required=False)
    dry_run = _FlagOrMessagesField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for report_field in self.fields.values():
            report_field.required = False


class StatusChangeSerializer(serializers.ModelSerializer):
    reason = serializers.CharField(source="reason_text", read_only=True, help_text=REASON_TEXT_HELP)
    reason_codes = ReasonCodeSerializer(
        many=True, read_only=True, help_text="The system's reasons as codes with parameters."
    )
    changed_by: "serializers.SlugRelatedField[User]" = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = EnrolmentStatusChange
        fields = ["from_status", "to_status", "reason", "reason_codes", "changed_at", "changed_by"]


# A course as the API serves it: the catalogue's fields and the trainee count. (A comment, not a
# docstring: drf-spectacular would publish a docstring as the schema's description.)
class CourseSerializer(CatalogueCourseSerializer):
    enrolment_count = serializers.IntegerField(
        read_only=True, help_text="Enrolments that are not withdrawn."
    )

    class Meta(CatalogueCourseSerializer.Meta):
        fields = [
            *CatalogueCourseSerializer.Meta.fields[:-2],
            "enrolment_count",
            *CatalogueCourseSerializer.Meta.fields[-2:],  # created_at, updated_at
        ]


class BulkEnrolSerializer(serializers.Serializer):
    participants = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        allow_empty=False,
        max_length=2000,
        help_text="Ids of the participants to enrol.",
    )


class BulkEnrolResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Enrolments created by this request.")
    existing = serializers.IntegerField(help_text="Participants who were already enrolled.")
    enrolments = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of all the requested enrolments."
    )
    seated = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Participants (ids) this request gave a seat in the course, in the order sent.",
    )
    waitlisted = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Participants (ids) this request put on the waiting list (the course was "
        "full), in the order sent, which is their order on the list.",
    )


class BulkStatusSerializer(serializers.Serializer):
    enrolments = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        min_length=1,
        max_length=5000,
        help_text="Ids of enrolments of this course.",
    )
    status = serializers.ChoiceField(choices=EnrolmentStatus.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
