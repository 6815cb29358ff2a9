"""The import benchmark reads a real generated XLSX, reports figures and leaves no trace."""

import json

import pytest
from django.core.management import call_command

from participants.models import Organisation, Participant

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_import_benchmark_measures_and_rolls_back(capsys):
    call_command("bench_import", rows=60)

    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["rows"] == 60
    assert result["created"] + result["updated"] + result["skipped"] == 60
    assert result["errors"] >= 1  # the list carries a bad e-mail on purpose
    assert result["rows_per_second"] > 0 and result["python_peak_mb"] > 0
    assert not Participant.objects.exists() and not Organisation.objects.exists()
