"""The OpenAPI schema's shared enum components: every choice set the API uses, named once.

Lives in ``config`` because it lists the choice sets of every app; imported by ``config.urls`` so
the extension is registered before the schema is generated.
"""

import functools

from django_countries import countries
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_choice_description_list
from rest_framework import serializers

from certificates.models import BatchStatus, Certificate, CertificateStatus
from experts.models import AssignmentRole
from participants.models import EnrolmentStatus, Gender, OrganisationKind
from trainings.languages import Language
from trainings.models import CourseKind, CourseStatus


# Every choice set the API uses, by the name its enum component carries in the schema. One
# choice set keeps one name wherever it appears (``status`` of a course and of an enrolment
# differ; ``language`` of a manual and ``languages`` of a course agree). Names deliberately lack
# the ``Enum`` suffix drf-spectacular gives the enums it names itself, so the two never clash.
@functools.cache
def _named_choice_sets() -> dict[frozenset, str]:
    named = {
        "LanguageCode": Language.values,
        "CertificateLanguage": [
            c for c, _ in Certificate._meta.get_field("language").choices or ()
        ],
        "CountryCode": [code for code, _name in countries],
        "CourseKind": CourseKind.values,
        "CourseStatus": CourseStatus.values,
        "OrganisationKind": OrganisationKind.values,
        "Gender": Gender.values,
        "EnrolmentStatus": EnrolmentStatus.values,
        "AssignmentRole": AssignmentRole.values,
        "BatchStatus": BatchStatus.values,
        "CertificateStatus": CertificateStatus.values,
    }
    return {frozenset(v for v in values if v): name for name, values in named.items()}


def _choice_set_name(field: serializers.ChoiceField) -> str | None:
    values = frozenset(str(v) for v in field.choices if v not in ("", None))
    return _named_choice_sets().get(values)


class NamedChoiceSetExtension(OpenApiSerializerFieldExtension):
    """Documents a choice field whose choice set is listed above as a reference to one shared,
    named enum component (the job ``ENUM_NAME_OVERRIDES`` does, kept next to the API)."""

    target_class = serializers.ChoiceField
    match_subclasses = True

    @classmethod
    def _matches(cls, target) -> bool:
        return (
            isinstance(target, serializers.ChoiceField)
            and not isinstance(target, serializers.MultipleChoiceField)
            and _choice_set_name(target) is not None
        )

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        name = _choice_set_name(field)
        choices = {k: v for k, v in field.choices.items() if k not in ("", None)}
        component = ResolvedComponent(
            name=name,
            type=ResolvedComponent.SCHEMA,
            object=name,
            schema={
                "type": "string",
                "enum": list(choices),
                "description": build_choice_description_list(choices.items()),
            },
        )
        auto_schema.registry.register_on_missing(component)
        if field.allow_blank:
            return {"oneOf": [component.ref, {"type": "string", "enum": [""]}]}
        return component.ref
