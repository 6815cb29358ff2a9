"""Query-string filters of the organisation, participant, enrolment and attendance lists."""

import django_filters

from trainings.models import Course

from . import visibility
from .models import Enrolment, Organisation, Participant


class OrganisationFilter(django_filters.FilterSet):
    class Meta:
        model = Organisation
        fields = ["parent", "country", "kind"]


class ParticipantFilter(django_filters.FilterSet):
    course = django_filters.ModelChoiceFilter(
        field_name="enrolments__course",
        queryset=Course.objects.all(),
        label="Enrolled in this course (id)",
    )

    class Meta:
        model = Participant
        fields = ["organisation", "country", "gender", "consent_given", "course"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        # A filter on a field the requester is not shown (consent) would still answer it.
        for name in visibility.hidden_fields(getattr(request, "user", None)):
            self.filters.pop(name, None)


class EnrolmentFilter(django_filters.FilterSet):
    class Meta:
        model = Enrolment
        fields = ["course", "participant", "status"]
