"""Input and output shapes of experts and their assignments (ids for relations, ISO codes for
countries). Nothing is saved here."""

from typing import Any, cast

from django_countries.serializers import CountryFieldMixin
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from . import conflicts, visibility
from .models import AssignmentRole, Expert, ExpertAssignment


class ExpertSerializer(CountryFieldMixin, serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)
    languages = serializers.ListField(
        child=serializers.RegexField(r"^[a-z]{2,3}$", max_length=3),
        required=False,
        max_length=20,
        help_text="ISO 639 language codes, e.g. en, ar, de.",
    )

    class Meta:
        model = Expert
        fields = [
            "id",
            "title",
            "first_name",
            "last_name",
            "full_name",
            "country",
            "organisation",
            "email",
            "languages",
            "modules",
            "bio",
            "user",
            "created_at",
            "updated_at",
        ]
        # Linking an expert to a login is an administrator's job (admin site).
        read_only_fields = ["user"]

    def validate_languages(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = request.user if request is not None else None
        if not visibility.contact_visible(instance, user):
            for name in visibility.CONTACT_FIELDS:
                data.pop(name, None)
        return data


class AssignmentWarningSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=[conflicts.DOUBLE_BOOKED, conflicts.OUTSIDE_EXPERTISE],
        help_text="`double_booked`: another assignment of the expert overlaps in time; "
        "`outside_expertise`: the module is not among the expert's modules of expertise.",
    )
    message = serializers.CharField(help_text="The warning in words, in the reader's language.")
    other_assignment = serializers.IntegerField(
        required=False, help_text="The overlapping assignment (double bookings only)."
    )


class ExpertAssignmentListSerializer(serializers.ListSerializer):
    """Computes the warnings of the whole page at once (``experts.conflicts.warnings_for``,
    three queries), so a list never runs a query per row."""

    def to_representation(self, data):
        items = list(data.all() if hasattr(data, "all") else data)
        # A dict in DRF; the stubs type it as a Mapping.
        cast(dict[str, Any], self._context)["assignment_warnings"] = conflicts.warnings_for(items)
        return super().to_representation(items)


class ExpertAssignmentSerializer(serializers.ModelSerializer):
    warnings = serializers.SerializerMethodField(
        help_text="Conflicts worth a second look; they never prevent the assignment."
    )

    class Meta:
        model = ExpertAssignment
        fields = [
            "id",
            "expert",
            "course",
            "session",
            "role",
            "warnings",
            "created_at",
            "updated_at",
        ]
        # The conditional unique constraints are checked by the service (full_clean).
        validators: list[Any] = []
        list_serializer_class = ExpertAssignmentListSerializer

    @extend_schema_field(AssignmentWarningSerializer(many=True))
    def get_warnings(self, obj: ExpertAssignment) -> list[dict]:
        known = self.context.get("assignment_warnings")
        warnings = known[obj.pk] if known and obj.pk in known else None
        if warnings is None:
            warnings = conflicts.assignment_warnings(obj)
        return [warning.as_dict() for warning in warnings]


# --- Teaching history and logins ----------------------------------------------------------------


class HistoryModuleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()


class HistoryCourseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    city = serializers.CharField()
    country = serializers.CharField(source="country.code", help_text="ISO 3166 code, or empty.")


class HistorySessionSerializer(serializers.Serializer):
    assignment = serializers.IntegerField(source="pk")
    session = serializers.IntegerField(source="session_id")
    role = serializers.ChoiceField(choices=AssignmentRole.choices)
    date = serializers.DateField(source="session.date")
    start_time = serializers.TimeField(source="session.start_time", allow_null=True)
    end_time = serializers.TimeField(source="session.end_time", allow_null=True)
    title = serializers.CharField(source="session.display_title")
    module = HistoryModuleSerializer(source="session.module", allow_null=True)


class ExpertHistorySerializer(serializers.Serializer):
    """One course of an expert's teaching history (``experts.selectors.expert_history``)."""

    course = HistoryCourseSerializer()
    role = serializers.ChoiceField(
        choices=AssignmentRole.choices,
        allow_null=True,
        help_text="Role for the whole course; null when assigned to single sessions only.",
    )
    sessions = HistorySessionSerializer(many=True)
    modules = HistoryModuleSerializer(many=True)


class LoginGrantSerializer(serializers.Serializer):
    user = serializers.IntegerField(source="user.pk")
    username = serializers.CharField(source="user.username")
    created = serializers.BooleanField(help_text="A new login was created.")
    linked = serializers.BooleanField(help_text="A login was linked to the expert just now.")
    invited = serializers.BooleanField(
        help_text="An e-mail inviting the expert to choose a password was sent."
    )
    detail = serializers.CharField()
