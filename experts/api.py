"""REST resources for visiting experts and their assignments to courses and sessions.

Experts are written with the generic validated create/update/delete
(``trainings.services.record_*``); assignments with ``experts.services``, which keeps their rules
(the session belongs to the course; one assignment per expert and course or session).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ServiceModelViewSet

from . import selectors, services, visibility
from .filters import ExpertAssignmentFilter, ExpertFilter
from .models import Expert, ExpertAssignment
from .permissions import ExpertAccess
from .serializers import (
    ExpertAssignmentSerializer,
    ExpertHistorySerializer,
    ExpertSerializer,
    LoginGrantSerializer,
)


@extend_schema(tags=["experts"])
class ExpertViewSet(ServiceModelViewSet):
    """Visiting experts and the modules they teach. Every role reads; coordinators
    write. `email` is shown to the project team and coordinators, and to a trainer for
    themselves and the experts of the courses they teach; to others it is left out."""

    serializer_class = ExpertSerializer
    permission_classes = [ExpertAccess]
    filterset_class = ExpertFilter
    search_fields = ["first_name", "last_name", "organisation", "email", "bio"]
    ordering_fields = ["last_name", "first_name", "country", "created_at"]
    ordering = ["last_name", "first_name"]

    def get_queryset(self):
        queryset = Expert.objects.prefetch_related("modules")
        return visibility.with_contact_visibility(queryset, self.request.user)

    def hidden_lookups(self, request) -> frozenset[str]:
        """The address, for all but the project team and coordinators (``core.filtering``)."""
        return visibility.hidden_fields(request.user)

    @extend_schema(responses={200: ExpertHistorySerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def history(self, request, pk=None):
        """The courses and sessions the expert teaches or taught, newest course first, with
        their role, dates, place and modules."""
        history = selectors.expert_history(self.get_object())
        return Response(ExpertHistorySerializer(history, many=True).data)

    @extend_schema(
        request=None,
        responses={201: LoginGrantSerializer, 200: LoginGrantSerializer},
        description="Give the expert a login with the trainer role: an existing login with "
        "the expert's e-mail address is linked, otherwise one is created (user name = the "
        "address, no password) and the expert is e-mailed a link to choose a password. "
        "201 when a login was linked now, 200 when the expert already had one (the link is "
        "sent again only while that login has no password); 400 when the expert has no "
        "e-mail address.",
    )
    @action(detail=True, methods=["post"])
    def login(self, request, pk=None):
        grant = services.expert_grant_login(expert=self.get_object(), by=request.user)
        body = LoginGrantSerializer(
            {
                "user": grant.user,
                "created": grant.created,
                "linked": grant.linked,
                "invited": grant.invited,
                "detail": grant.message,
            }
        ).data
        code = status.HTTP_201_CREATED if grant.linked else status.HTTP_200_OK
        return Response(body, status=code)


@extend_schema(tags=["expert-assignments"])
class ExpertAssignmentViewSet(ServiceModelViewSet):
    """Experts assigned to a whole course or to one session. Every role reads;
    coordinators write."""

    serializer_class = ExpertAssignmentSerializer
    permission_classes = [ExpertAccess]
    filterset_class = ExpertAssignmentFilter
    search_fields = ["expert__first_name", "expert__last_name", "course__title"]
    ordering_fields = ["created_at", "role"]
    ordering = ["course", "session__date", "expert__last_name"]

    def get_queryset(self):
        # The warnings are computed for the whole page by the list serializer (three queries).
        return ExpertAssignment.objects.all()

    def create_object(self, data: dict):
        return services.assignment_create(**data, by=self.request.user)

    def update_object(self, instance, data: dict):
        return services.assignment_update(assignment=instance, by=self.request.user, **data)
