"""A participant's personal data in the API, mixed into ``participants.api.ParticipantViewSet``:

* ``GET /api/v1/participants/{id}/personal-data/`` — everything held, as a JSON attachment
  (project team and coordinators; logged);
* ``POST /api/v1/participants/{id}/erase/`` with ``reason`` and ``confirm: true`` —
  coordinators only; idempotent.

Thin: the work is in ``privacy.services``.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.roles import COORDINATOR, PROJECT_TEAM
from participants.api import ParticipantActionsViewSet
from trainings.permissions import RolePermission

from . import services


class PersonalDataAccess(RolePermission):
    """Reading everything held about a person: the project team and coordinators."""

    read_roles = (PROJECT_TEAM, COORDINATOR)
    write_roles = ()


class ErasureAccess(RolePermission):
    """Erasing a person: coordinators only."""

    read_roles = ()
    write_roles = (COORDINATOR,)


class ErasureRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=services.REASON_MAX_LENGTH,
        help_text="Why the data is erased: who asked, when, on what ground. Kept in the audit log.",
    )
    confirm = serializers.BooleanField(
        help_text="Must be `true`: erasure cannot be undone.",
    )

    def validate_confirm(self, value: bool) -> bool:
        if value is not True:
            raise serializers.ValidationError(
                "Erasure cannot be undone: send confirm=true to go ahead."
            )
        return value


class ErasureResultSerializer(serializers.Serializer):
    participant = serializers.IntegerField(help_text="The participant's id (kept).")
    erased = serializers.BooleanField(
        help_text="`false` when there was nothing left to erase (an earlier erasure)."
    )
    files_deleted = serializers.IntegerField()
    detail = serializers.CharField()


@extend_schema(tags=["participants"])
class ParticipantPrivacyViewSet(ParticipantActionsViewSet):
    """``/api/v1/participants/{id}/personal-data/`` and ``erase/``."""

    @extend_schema(
        tags=["participants"],
        summary="Everything held about a participant (JSON attachment)",
        description=(
            "The participant's fields, organisation, enrolments with status history, "
            "attendance, scores, teach-back (metadata), certificates (serial, status, issue "
            "date, verification code) and the audit entries about them, served as "
            "`participant-<id>.json`. Each export is logged (`data_exported`). Project team and "
            "coordinators."
        ),
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT, description="All personal data held, as an attachment."
            )
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="personal-data",
        url_name="personal-data",
        permission_classes=[PersonalDataAccess],
        filter_backends=[],
        pagination_class=None,
    )
    def personal_data(self, request, pk=None):
        participant = self.get_object()
        data = services.participant_data_export(participant=participant, by=request.user)
        filename = services.export_filename(participant)
        return Response(data, headers={"Content-Disposition": f'attachment; filename="{filename}"'})

    @extend_schema(
        tags=["participants"],
        summary="Erase a participant's personal data",
        description=(
            "Anonymises the participant (name becomes `Erased #<id>`; e-mail, phone, native "
            "name, position, notes, gender and consent are blanked), deletes their teach-back "
            "files and certificate PDFs, and keeps enrolments, scores, organisation, "
            "nationality and the certificate registry, whose signed snapshot keeps verification "
            "working. Idempotent: a second request changes nothing and answers `erased: false`. "
            "Logged (`data_erased`) without the name. Coordinators only."
        ),
        request=ErasureRequestSerializer,
        responses={200: ErasureResultSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="erase",
        url_name="erase",
        permission_classes=[ErasureAccess],
        filter_backends=[],
        pagination_class=None,
    )
    def erase(self, request, pk=None):
        participant = self.get_object()
        payload = ErasureRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        result = services.participant_erase(
            participant=participant, reason=payload.validated_data["reason"], by=request.user
        )
        body = {
            "participant": participant.pk,
            "erased": result.erased,
            "files_deleted": result.files_deleted,
            "detail": result.message,
        }
        return Response(ErasureResultSerializer(body).data)
