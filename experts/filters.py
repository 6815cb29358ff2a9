"""Query-string filters of the expert and assignment lists."""

import django_filters

from trainings.models import ThematicModule

from .models import Expert, ExpertAssignment


class ExpertFilter(django_filters.FilterSet):
    module = django_filters.ModelChoiceFilter(
        field_name="modules",
        queryset=ThematicModule.objects.all(),
        label="Can teach this module (id)",
    )

    class Meta:
        model = Expert
        fields = ["country", "module"]


class ExpertAssignmentFilter(django_filters.FilterSet):
    class Meta:
        model = ExpertAssignment
        fields = ["course", "expert", "session", "role"]
