"""REST resources for visiting experts and their assignments to courses and sessions.

Experts are written with the generic validated create/update/delete
(``trainings.services.record_*``); assignments with ``experts.services``, which keeps their rules
(the session belongs to the course; one assignment per expert and course or session).
"""

from drf_spectacular.utils import extend_schema

from config.api import ServiceModelViewSet

from . import services
from .filters import ExpertAssignmentFilter, ExpertFilter
from .models import Expert, ExpertAssignment
from .permissions import ExpertAccess
from .serializers import ExpertAssignmentSerializer, ExpertSerializer


@extend_schema(tags=["experts"])
class ExpertViewSet(ServiceModelViewSet):
    """Visiting experts and the modules they teach. Every role reads; coordinators
    write."""

    serializer_class = ExpertSerializer
    permission_classes = [ExpertAccess]
    filterset_class = ExpertFilter
    search_fields = ["first_name", "last_name", "organisation", "email", "bio"]
    ordering_fields = ["last_name", "first_name", "country", "created_at"]
    ordering = ["last_name", "first_name"]

    def get_queryset(self):
        return Expert.objects.prefetch_related("modules")


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
        return ExpertAssignment.objects.all()

    def create_object(self, data: dict):
        return services.assignment_create(**data, by=self.request.user)

    def update_object(self, instance, data: dict):
        return services.assignment_update(assignment=instance, by=self.request.user, **data)
