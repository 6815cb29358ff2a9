"""Input and output shapes of organisations, trainees, enrolments and attendance.

Field names follow the import columns (DESIGN.md). Relations are ids, countries ISO codes.
Nothing is saved here: the viewsets call ``participants.services``.
"""

from django_countries.serializers import CountryFieldMixin
from rest_framework import serializers

from certificates.models import Certificate

from .models import Attendance, Enrolment, Organisation, Participant


class OrganisationSerializer(CountryFieldMixin, serializers.ModelSerializer):
    participant_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "native_name",
            "acronym",
            "kind",
            "country",
            "parent",
            "participant_count",
            "created_at",
            "updated_at",
        ]
        # The case-insensitive unique name is checked by the service (full_clean).
        validators = []


class ParticipantSerializer(CountryFieldMixin, serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)

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
        validators = []


class EnrolmentSerializer(serializers.ModelSerializer):
    """An enrolment as clients read and change it. The participant and the course are fixed
    once enrolled; ``status`` (with ``reason``) goes through ``enrolment_set_status``, where
    final statuses are coordinator-only."""

    reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="Why the status changes; stored as status_reason.",
    )
    certificate_language = serializers.ChoiceField(
        choices=[("", "Course default"), *Certificate._meta.get_field("language").choices],
        required=False,
        allow_blank=True,
        help_text="Overrides the course's certificate language for this trainee; empty: the "
        "course's.",
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
            "status_changed_at",
            "status_changed_by",
            "pre_test_score",
            "post_test_score",
            "certificate_language",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "participant",
            "course",
            "status_reason",
            "status_changed_at",
            "status_changed_by",
        ]


class EnrolmentCreateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Enrolment
        fields = ["participant", "course"]
        # Duplicates are the service's call (409 with a clear message).
        validators = []


class AttendanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attendance
        fields = ["id", "enrolment", "date", "present", "recorded_at", "recorded_by"]
        read_only_fields = ["recorded_at", "recorded_by"]
        # One row per trainee and day: recording a day twice updates it (see the service).
        validators = []


class AttendanceUpdateSerializer(AttendanceSerializer):
    class Meta(AttendanceSerializer.Meta):
        read_only_fields = ["enrolment", "recorded_at", "recorded_by"]
