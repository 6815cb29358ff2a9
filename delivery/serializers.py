"""Input and output shapes of running a course: attendance, the attendance grid, teach-backs,
completion rows, closing and overrides. Nothing is saved here: the viewsets call
``delivery.services``."""

from typing import Any

from django.contrib.auth.models import User
from django.urls import reverse
from rest_framework import serializers

from core.models import MAX_ID
from delivery.selectors import CLOSE_OUTCOMES
from participants.models import (
    Attendance,
    EnrolmentStatus,
    TeachBack,
)
from participants.serializers import REASON_TEXT_HELP, ReasonCodeSerializer

from .models import CourseExport, ExportStatus


class AttendanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attendance
        fields = ["id", "enrolment", "date", "present", "recorded_at", "recorded_by"]
        read_only_fields = ["recorded_at", "recorded_by"]
        # One row per trainee and day: recording a day twice updates it (see the service).
        validators: list[Any] = []


class AttendanceUpdateSerializer(AttendanceSerializer):
    class Meta(AttendanceSerializer.Meta):
        read_only_fields = ["enrolment", "recorded_at", "recorded_by"]


class OverrideSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[EnrolmentStatus.COMPLETED, EnrolmentStatus.FAILED],
        help_text="The coordinator's decision.",
    )
    reason = serializers.CharField(max_length=500, help_text="Why the rule is overridden.")


class TeachBackBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = TeachBack
        fields = ["id", "title", "score"]


class CompletionRowSerializer(serializers.Serializer):
    """One trainee measured against the course's completion rule."""

    enrolment = serializers.IntegerField()
    participant = serializers.IntegerField()
    name = serializers.CharField()
    native_name = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=EnrolmentStatus.choices)
    status_reason = serializers.CharField(allow_blank=True, help_text=REASON_TEXT_HELP)
    status_reason_codes = ReasonCodeSerializer(
        many=True, help_text="The stored reason as codes with parameters."
    )
    status_overridden = serializers.BooleanField()
    days_present = serializers.IntegerField()
    days_required = serializers.IntegerField()
    days_total = serializers.IntegerField()
    pre_test_score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    post_test_score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    knowledge_gain = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    teachback = TeachBackBriefSerializer(allow_null=True)
    qualifies = serializers.BooleanField()
    reasons = serializers.ListField(
        child=serializers.CharField(),
        help_text="Why the trainee does not qualify, in words, in the request's language.",
    )
    reason_codes = ReasonCodeSerializer(
        many=True, help_text="The same as codes with parameters (empty when they qualify)."
    )


class CloseResultSerializer(serializers.Serializer):
    completed = serializers.ListField(child=serializers.IntegerField())
    failed = serializers.ListField(child=serializers.IntegerField())
    kept = serializers.ListField(
        child=serializers.IntegerField(), help_text="Enrolments a coordinator decided by hand."
    )
    blocked = serializers.ListField(
        child=serializers.DictField(),
        help_text="Trainees the rule would fail but who hold a valid certificate: "
        "`{enrolment, reason}`; revoke the certificate first.",
    )


class CloseRequestSerializer(serializers.Serializer):
    token = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="The `token` of the preview (`GET close/`). When given, closing is refused "
        "(409) if what it would do changed since that preview.",
    )


class CloseRowSerializer(serializers.Serializer):
    """What closing does to one trainee."""

    enrolment = serializers.IntegerField(source="enrolment.pk")
    participant = serializers.IntegerField(source="enrolment.participant_id")
    name = serializers.CharField(source="enrolment.participant.full_name")
    status = serializers.ChoiceField(
        choices=EnrolmentStatus.choices, source="enrolment.status", help_text="Now."
    )
    outcome = serializers.ChoiceField(
        choices=CLOSE_OUTCOMES,
        help_text="`complete` or `fail` by the rule; `kept_decision` (a coordinator decided by "
        "hand) or `kept_certificate` (holds a valid certificate): the status stays.",
    )
    new_status = serializers.ChoiceField(
        choices=EnrolmentStatus.choices, help_text="After closing."
    )
    reasons = serializers.ListField(
        child=serializers.CharField(), help_text="Why, in words, in the request's language."
    )
    reason_codes = ReasonCodeSerializer(
        many=True,
        help_text="What closing stores as the reason, as codes with parameters (empty when "
        "the status is kept).",
    )


class ClosePreviewSerializer(serializers.Serializer):
    can_close = serializers.SerializerMethodField()
    problems = serializers.ListField(
        child=serializers.CharField(),
        help_text="Why the course cannot be closed yet, one sentence each (empty when it can).",
    )
    token = serializers.CharField(help_text="Send it back with `POST close/` to confirm.")
    completed = serializers.IntegerField(source="completing", help_text="Will be completed.")
    not_completed = serializers.IntegerField(source="failing", help_text="Will not complete.")
    kept = serializers.IntegerField(help_text="Keep their status.")
    trainees = CloseRowSerializer(many=True, source="rows")

    def get_can_close(self, preview) -> bool:
        return not preview.problems


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Why the course is reopened.")


class RestoredSerializer(serializers.Serializer):
    enrolment = serializers.IntegerField()
    from_status = serializers.ChoiceField(choices=EnrolmentStatus.choices)
    to_status = serializers.ChoiceField(choices=EnrolmentStatus.choices)


class ReopenResultSerializer(serializers.Serializer):
    course_status = serializers.CharField(help_text="The course's status again.")
    restored = RestoredSerializer(many=True)
    kept = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Enrolments a coordinator decided by hand: they keep their status.",
    )


class GridMarkSerializer(serializers.Serializer):
    enrolment = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    date = serializers.DateField()
    present = serializers.BooleanField(allow_null=True, help_text="null clears the cell.")


class GridSaveSerializer(serializers.Serializer):
    # With many=True DRF builds a ListSerializer, which takes max_length; the stubs miss it.
    marks = GridMarkSerializer(many=True, allow_empty=False, max_length=20000)  # type: ignore[call-arg]  # see above


class GridRowSerializer(serializers.Serializer):
    enrolment = serializers.IntegerField()
    participant = serializers.IntegerField()
    name = serializers.CharField()
    native_name = serializers.CharField(allow_blank=True)
    status = serializers.CharField()
    marks = serializers.DictField(
        child=serializers.BooleanField(allow_null=True),
        help_text="Date (YYYY-MM-DD) -> present (true), absent (false) or not recorded (null).",
    )
    days_present = serializers.IntegerField()


class GridSerializer(serializers.Serializer):
    days = serializers.ListField(child=serializers.DateField())
    rows = GridRowSerializer(many=True)


class TeachBackSerializer(serializers.ModelSerializer):
    recorded_by: "serializers.SlugRelatedField[User]" = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    has_file = serializers.SerializerMethodField()

    class Meta:
        model = TeachBack
        fields = [
            "id",
            "enrolment",
            "title",
            "module",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "has_file",
            "score",
            "evaluator",
            "evaluated_at",
            "comments",
            "recorded_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "original_name",
            "content_type",
            "size",
            "sha256",
            "recorded_by",
        ]
        # One per enrolment: the viewset answers a second one with 409 and a clear message.
        validators: list[Any] = []
        extra_kwargs: dict[str, dict[str, Any]] = {"enrolment": {"validators": []}}

    def get_has_file(self, teachback: TeachBack) -> bool:
        return bool(teachback.file)


class TeachBackWriteSerializer(TeachBackSerializer):
    file = serializers.FileField(
        required=False, help_text="The trainee's module: PDF, DOCX, PPTX, XLSX, ODT or ZIP."
    )

    class Meta(TeachBackSerializer.Meta):
        fields = [*TeachBackSerializer.Meta.fields, "file"]


class TeachBackUpdateSerializer(TeachBackWriteSerializer):
    class Meta(TeachBackWriteSerializer.Meta):
        read_only_fields = [*TeachBackWriteSerializer.Meta.read_only_fields, "enrolment"]


class CourseExportSerializer(serializers.ModelSerializer):
    """A course file built by a worker: poll `url` until `status` is `done`, then fetch
    `download_url` (until `expires_at`)."""

    format = serializers.CharField(source="fmt", read_only=True)
    date = serializers.DateField(source="day", read_only=True)
    url = serializers.SerializerMethodField(help_text="This status, to poll.")
    download_url = serializers.SerializerMethodField(
        help_text="The file, once `status` is `done`; null before."
    )

    class Meta:
        model = CourseExport
        fields = [
            "id",
            "course",
            "export",
            "format",
            "date",
            "status",
            "error",
            "created_at",
            "expires_at",
            "url",
            "download_url",
        ]
        read_only_fields = fields

    def get_url(self, obj: CourseExport) -> str:
        return reverse("api:courseexport-detail", args=[obj.pk])

    def get_download_url(self, obj: CourseExport) -> str | None:
        if obj.status != ExportStatus.DONE:
            return None
        return reverse("api:courseexport-download", args=[obj.pk])
