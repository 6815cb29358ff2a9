"""Query-string filters of the expert and assignment lists."""

import django_filters

from trainings.models import ThematicModule

from . import selectors
from .models import Expert, ExpertAssignment


class ExpertFilter(django_filters.FilterSet):
    module = django_filters.ModelChoiceFilter(
        field_name="modules",
        queryset=ThematicModule.objects.all(),
        label="Can teach this module (id)",
    )
    language = django_filters.CharFilter(
        method="speaks", label="Speaks this language (ISO 639 code, e.g. ar)"
    )

    class Meta:
        model = Expert
        fields = ["country", "module", "language"]

    def speaks(self, queryset, name, value):
        return selectors.experts_speaking(queryset, value)


class ExpertAssignmentFilter(django_filters.FilterSet):
    class Meta:
        model = ExpertAssignment
        fields = ["course", "expert", "session", "role"]
