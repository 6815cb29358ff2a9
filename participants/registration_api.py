"""API actions of the registration desk, mixed into ``ParticipantViewSet``: the duplicate check
shown before saving, and merging two records of one person.

Both are for the project team and coordinators only: a duplicate check reveals who is
registered by e-mail, and a merge rewrites trainee records.
"""

from typing import TYPE_CHECKING

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from accounts.roles import COORDINATOR, PROJECT_TEAM
from trainings.permissions import RolePermission

from .duplicates import REASONS, find_duplicates
from .merging import participants_merge
from .models import Organisation, Participant
from .serializers import ParticipantSerializer


class RegistrationAccess(RolePermission):
    """Duplicate checks and merges: the project team and coordinators, whatever the method."""

    read_roles = (PROJECT_TEAM, COORDINATOR)
    write_roles = (PROJECT_TEAM, COORDINATOR)


class DuplicateQuerySerializer(serializers.Serializer):
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    native_name = serializers.CharField(required=False, allow_blank=True, max_length=300)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    exclude = serializers.IntegerField(
        required=False, min_value=1, help_text="The id of the record being edited."
    )


class DuplicatePersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="full_name", read_only=True)
    organisation: "serializers.StringRelatedField[Organisation]" = serializers.StringRelatedField()
    organisation_id = serializers.IntegerField(allow_null=True, read_only=True)

    class Meta:
        model = Participant
        fields = ["id", "name", "native_name", "organisation", "organisation_id", "email"]


class DuplicateSerializer(serializers.Serializer):
    participant = DuplicatePersonSerializer()
    reason = serializers.ChoiceField(
        choices=REASONS,
        help_text="`same_email`, `same_name_org`, `similar_name_org` (a close spelling, in "
        "any script, in the same organisation) or `similar_name` (another organisation).",
    )
    message = serializers.CharField()


class MergeSerializer(serializers.Serializer):
    duplicate = serializers.PrimaryKeyRelatedField(
        queryset=Participant.objects.all(),
        help_text="The record merged into this one and then deleted.",
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        default="",
        help_text="Why the two are one person: required (and only a coordinator may merge) "
        "when their names or organisations do not match.",
    )


if TYPE_CHECKING:  # the mixin below only ever precedes a GenericViewSet in a class's bases
    _ViewSetBase = GenericViewSet
else:
    _ViewSetBase = object


class RegistrationActionsMixin(_ViewSetBase):
    """``GET participants/duplicates/`` and ``POST participants/{id}/merge/``."""

    @extend_schema(
        summary="Registered people who may be the person about to be registered",
        description=(
            "Strongest reason first, at most 10: the same e-mail (case-insensitive), the same "
            "name in the same organisation, a close spelling of the name in any script "
            '("Al-Saadi" / "Alsaadi" / "الساعدي") in the same organisation, or in another '
            "organisation. Send what has been typed so far; `exclude` leaves out the record "
            "being edited."
        ),
        parameters=[DuplicateQuerySerializer],
        responses={200: DuplicateSerializer(many=True)},
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="duplicates",
        url_name="duplicates",
        permission_classes=[RegistrationAccess],
        filterset_class=None,
        pagination_class=None,
    )
    def duplicates(self, request):
        query = DuplicateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        candidates = find_duplicates(**query.validated_data)
        return Response(DuplicateSerializer(candidates, many=True).data)

    @extend_schema(
        summary="Merge a duplicate record into this one",
        description=(
            "Enrolments (with attendance, scores, teach-backs and certificates) and taught "
            "sessions move to this record; its blank fields are filled from the duplicate; the "
            "duplicate is deleted and the merge is logged. Where both are enrolled in one "
            "course the more advanced enrolment is kept and completed from the other. Answers "
            "409 when both enrolments of a course have certificates (one would be lost)."
        ),
        request=MergeSerializer,
        responses={200: ParticipantSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="merge",
        url_name="merge",
        permission_classes=[RegistrationAccess],
        serializer_class=MergeSerializer,
        filterset_class=None,
    )
    def merge(self, request, pk=None):
        survivor = self.get_object()
        payload = MergeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        merged = participants_merge(
            survivor=survivor,
            duplicate=payload.validated_data["duplicate"],
            reason=payload.validated_data["reason"],
            by=request.user,
        )
        instance = self.get_queryset().get(pk=merged.pk)
        context = self.get_serializer_context()
        return Response(ParticipantSerializer(instance, context=context).data)
