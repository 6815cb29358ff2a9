"""Query-string filters of the programme, module, manual, course and session lists."""

import django_filters

from .languages import Language
from .models import (
    AttachmentKind,
    Course,
    CourseSession,
    Manual,
    ManualAttachment,
    ManualDownload,
    ThematicModule,
)


class ThematicModuleFilter(django_filters.FilterSet):
    course = django_filters.ModelChoiceFilter(
        field_name="courses", queryset=Course.objects.all(), label="Taught in this course (id)"
    )

    class Meta:
        model = ThematicModule
        fields = ["code", "course"]


class ManualFilter(django_filters.FilterSet):
    language = django_filters.ChoiceFilter(choices=Language.choices)
    current = django_filters.BooleanFilter(
        field_name="is_current", label="Only the current version (true) or only older ones"
    )
    withdrawn = django_filters.BooleanFilter(
        field_name="withdrawn_at", lookup_expr="isnull", exclude=True, label="Withdrawn"
    )

    class Meta:
        model = Manual
        fields = ["module", "language", "version", "current", "withdrawn"]


class ManualAttachmentFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=AttachmentKind.choices)
    module = django_filters.ModelChoiceFilter(
        field_name="manual__module",
        queryset=ThematicModule.objects.all(),
        label="Attached to a manual of this module (id)",
    )

    class Meta:
        model = ManualAttachment
        fields = ["manual", "kind", "module"]


class ManualDownloadFilter(django_filters.FilterSet):
    module = django_filters.ModelChoiceFilter(
        field_name="manual__module", queryset=ThematicModule.objects.all(), label="Module (id)"
    )
    since = django_filters.DateFilter(field_name="downloaded_at__date", lookup_expr="gte")
    until = django_filters.DateFilter(field_name="downloaded_at__date", lookup_expr="lte")

    class Meta:
        model = ManualDownload
        fields = ["manual", "attachment", "bundle", "user", "module", "since", "until"]


class CourseFilter(django_filters.FilterSet):
    module = django_filters.ModelChoiceFilter(
        field_name="modules",
        queryset=ThematicModule.objects.all(),
        label="Teaches this module (id)",
    )
    starts_after = django_filters.DateFilter(field_name="start_date", lookup_expr="gte")
    starts_before = django_filters.DateFilter(field_name="start_date", lookup_expr="lte")

    class Meta:
        model = Course
        fields = ["programme", "kind", "status", "parent", "country", "module"]


class CourseSessionFilter(django_filters.FilterSet):
    trainer = django_filters.ModelChoiceFilter(
        field_name="trainers",
        # The trainers' model is whatever the relation points at (participants' trainees): this
        # app names it in its own model, and imports nothing of the app above.
        queryset=CourseSession._meta.get_field("trainers").related_model._default_manager.all(),
        label="Taught by this certified trainer (participant id)",
    )
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = CourseSession
        fields = ["course", "module", "date", "trainer"]
