"""Query-string filters of the certificate and batch lists."""

import django_filters

from trainings.models import Course

from .models import Certificate, CertificateBatch


class CertificateFilter(django_filters.FilterSet):
    course = django_filters.ModelChoiceFilter(
        field_name="enrolment__course", queryset=Course.objects.all(), label="Course (id)"
    )

    class Meta:
        model = Certificate
        fields = ["course", "status", "enrolment", "batch", "language"]


class CertificateBatchFilter(django_filters.FilterSet):
    class Meta:
        model = CertificateBatch
        fields = ["course", "status"]
