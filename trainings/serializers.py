"""Input and output shapes of programmes, modules, manuals, courses and sessions.

Serializers only translate: relations are ids, countries ISO codes, and nothing is saved here
(the viewsets hand ``validated_data`` to ``trainings.services``).
"""

from decimal import Decimal

from django.urls import reverse
from django_countries.serializer_fields import CountryField
from django_countries.serializers import CountryFieldMixin
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .languages import Language
from .models import (
    AttachmentKind,
    Course,
    CourseSession,
    Manual,
    ManualAttachment,
    ManualBundle,
    ManualDownload,
    Programme,
    ThematicModule,
)


class LanguageCodesField(serializers.ListField):
    """A list of working-language codes (en, ru, ar), without duplicates."""

    child = serializers.ChoiceField(choices=Language.choices)

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", len(Language.values))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        return list(dict.fromkeys(super().to_internal_value(data)))


class CountryCodesField(serializers.ListField):
    """A list of ISO 3166 country codes."""

    child = CountryField()


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$",
        "example": "09:30:00",
    }
)
class LocalTimeField(serializers.TimeField):
    """A wall-clock time at the course venue (``09:30`` or ``09:30:00``), without a UTC offset.

    Documented with a pattern rather than ``format: time``, which in JSON Schema demands an
    offset; an offset in the input is refused because the database stores local times only.
    """

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        if parsed.tzinfo is not None:
            self.fail("invalid", format="hh:mm[:ss], without a UTC offset")
        return parsed


class ProgrammeSerializer(CountryFieldMixin, serializers.ModelSerializer):
    course_count = serializers.IntegerField(read_only=True)
    partner_countries = CountryCodesField(required=False, max_length=300)

    class Meta:
        model = Programme
        fields = [
            "id",
            "name",
            "acronym",
            "description",
            "donor",
            "partner_countries",
            "start_date",
            "end_date",
            "course_count",
            "created_at",
            "updated_at",
        ]

    def validate(self, attrs):
        start = attrs.get("start_date", getattr(self.instance, "start_date", None))
        end = attrs.get("end_date", getattr(self.instance, "end_date", None))
        if start and end and end < start:
            raise serializers.ValidationError(
                {"end_date": ["The programme cannot end before it starts."]}
            )
        return attrs


class ThematicModuleSerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True, help_text="Title in the request's language.")

    class Meta:
        model = ThematicModule
        fields = [
            "id",
            "code",
            "order",
            "title",
            "title_en",
            "title_ru",
            "title_ar",
            "description_en",
            "description_ru",
            "description_ar",
            "learning_objectives",
            "duration_hours",
            "created_at",
            "updated_at",
        ]


def _absolute(serializer: serializers.Serializer, url: str) -> str:
    request = serializer.context.get("request")
    return request.build_absolute_uri(url) if request else url


class ManualAttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ManualAttachment
        fields = [
            "id",
            "manual",
            "kind",
            "title",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "download_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, attachment: ManualAttachment) -> str:
        return _absolute(self, reverse("api:manualattachment-download", args=[attachment.pk]))


class ManualAttachmentUploadSerializer(serializers.Serializer):
    """``POST /api/v1/manual-attachments/`` (multipart)."""

    manual = serializers.PrimaryKeyRelatedField(queryset=Manual.objects.all())
    kind = serializers.ChoiceField(choices=AttachmentKind.choices)
    title = serializers.CharField(max_length=200)
    file = serializers.FileField(allow_empty_file=False, max_length=255)


class ManualAttachmentUpdateSerializer(serializers.ModelSerializer):
    """What may change on an attachment: its title and kind. A new file is a new attachment."""

    class Meta:
        model = ManualAttachment
        fields = ["kind", "title"]


class ManualSerializer(serializers.ModelSerializer):
    is_current = serializers.BooleanField(
        read_only=True,
        help_text="The newest version not withdrawn, for this module and language.",
    )
    download_url = serializers.SerializerMethodField()
    attachments = ManualAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Manual
        fields = [
            "id",
            "module",
            "language",
            "title",
            "notes",
            "version",
            "is_current",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "withdrawn_at",
            "withdrawn_by",
            "withdrawal_reason",
            "download_url",
            "attachments",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, manual: Manual) -> str:
        return _absolute(self, reverse("api:manual-download", args=[manual.pk]))


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="Why, for the history.",
    )


class ManualDownloadSerializer(serializers.ModelSerializer):
    module = serializers.IntegerField(source="manual.module_id", read_only=True)
    language = serializers.CharField(source="manual.language", read_only=True)
    version = serializers.IntegerField(source="manual.version", read_only=True)
    username = serializers.CharField(
        source="user.get_username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = ManualDownload
        fields = [
            "id",
            "manual",
            "module",
            "language",
            "version",
            "attachment",
            "bundle",
            "user",
            "username",
            "downloaded_at",
        ]
        read_only_fields = fields


class ManualBundleRequestSerializer(serializers.Serializer):
    language = serializers.ChoiceField(
        choices=Language.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Only the manuals in this language; empty: every language.",
    )


class ManualBundleSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()
    language = serializers.CharField(
        read_only=True, help_text="Language code (en, ru, ar); empty: every language."
    )

    class Meta:
        model = ManualBundle
        fields = [
            "id",
            "course",
            "language",
            "requested_by",
            "status",
            "total",
            "done",
            "size",
            "error",
            "download_url",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_download_url(self, bundle: ManualBundle) -> str | None:
        if not bundle.file:
            return None
        return _absolute(self, reverse("api:manualbundle-download", args=[bundle.pk]))


class ManualUploadSerializer(serializers.Serializer):
    """``POST /api/v1/manuals/`` (multipart). The version is assigned by the server."""

    module = serializers.PrimaryKeyRelatedField(queryset=ThematicModule.objects.all())
    language = serializers.ChoiceField(choices=Language.choices)
    title = serializers.CharField(max_length=200)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    file = serializers.FileField(allow_empty_file=False, max_length=255)


class ManualUpdateSerializer(serializers.ModelSerializer):
    """What may change on an uploaded manual: its title, notes and withdrawal. A new file is a
    new version (upload it with POST)."""

    class Meta:
        model = Manual
        fields = ["title", "notes", "withdrawn_at"]


class CourseSerializer(CountryFieldMixin, serializers.ModelSerializer):
    languages = LanguageCodesField(required=False, help_text="Working languages of the course.")
    # Declared so an omitted value is the exact decimal 0.80: the model's default is the float
    # 0.8, which full_clean() rejects as having too many decimal places.
    min_attendance_share = serializers.DecimalField(
        max_digits=3,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(1),
        default=Decimal("0.80"),
        help_text="Share of course days a trainee must attend to complete; 0.80 means 80%.",
    )

    class Meta:
        model = Course
        fields = [
            "id",
            "programme",
            "code",
            "title",
            "title_ru",
            "title_ar",
            "kind",
            "parent",
            "venue",
            "city",
            "country",
            "start_date",
            "end_date",
            "languages",
            "hours",
            "capacity",
            "status",
            "modules",
            "description",
            "min_attendance_share",
            "min_post_test_score",
            "requires_teachback",
            "created_at",
            "updated_at",
        ]


class CourseSessionSerializer(serializers.ModelSerializer):
    start_time = LocalTimeField(required=False, allow_null=True)
    end_time = LocalTimeField(required=False, allow_null=True)
    display_title = serializers.CharField(
        read_only=True, help_text="The session's title, or else its module's title."
    )

    class Meta:
        model = CourseSession
        fields = [
            "id",
            "course",
            "date",
            "start_time",
            "end_time",
            "module",
            "title",
            "display_title",
            "trainers",
            "created_at",
            "updated_at",
        ]

    def validate(self, attrs):
        start = attrs.get("start_time", getattr(self.instance, "start_time", None))
        end = attrs.get("end_time", getattr(self.instance, "end_time", None))
        if start and end and end <= start:
            raise serializers.ValidationError(
                {"end_time": ["The session must end after it starts."]}
            )
        return attrs
