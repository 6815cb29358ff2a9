"""Input and output shapes of experts and their assignments (ids for relations, ISO codes for
countries). Nothing is saved here."""

from django_countries.serializers import CountryFieldMixin
from rest_framework import serializers

from .models import Expert, ExpertAssignment


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


class ExpertAssignmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExpertAssignment
        fields = ["id", "expert", "course", "session", "role", "created_at", "updated_at"]
        # The conditional unique constraints are checked by the service (full_clean).
        validators = []
