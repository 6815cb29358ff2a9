"""Query-string filters of the organisation, participant, enrolment and attendance lists."""

import django_filters

from trainings.models import Course

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


class EnrolmentFilter(django_filters.FilterSet):
    class Meta:
        model = Enrolment
        fields = ["course", "participant", "status"]
