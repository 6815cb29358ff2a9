"""List filters of attendance."""

import django_filters

from participants.models import Attendance, Participant
from trainings.models import Course


class AttendanceFilter(django_filters.FilterSet):
    course = django_filters.ModelChoiceFilter(
        field_name="enrolment__course", queryset=Course.objects.all(), label="Course (id)"
    )
    participant = django_filters.ModelChoiceFilter(
        field_name="enrolment__participant",
        queryset=Participant.objects.all(),
        label="Participant (id)",
    )

    class Meta:
        model = Attendance
        fields = ["enrolment", "course", "participant", "date", "present"]
