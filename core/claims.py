"""Claiming work with a lease: the one idiom every background job here uses.

Delivery is at least once and workers die, so a job first *claims* its row with one conditional
``UPDATE ... WHERE lease IS NULL OR lease < now``: of two workers holding the same message,
exactly one gets a row count of 1. The lease runs out on its own when the worker dies, and the
next claim (a redelivered message, the sweep) takes the row over. Callers re-check the row
under ``select_for_update`` before writing the result, so a worker whose lease ran out never
overwrites the one that took over.
"""

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone


def lease_free(field: str, *, now: dt.datetime) -> Q:
    """Rows whose lease ``field`` is empty or has run out at ``now``."""
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": now})


def claim(
    queryset: QuerySet,
    *,
    field: str,
    lease: dt.timedelta,
    now: dt.datetime | None = None,
    **changes: Any,
) -> dt.datetime | None:
    """Take the rows of ``queryset`` whose lease ``field`` is free, setting it to ``now + lease``
    together with ``changes`` (F expressions allowed). Returns the new lease's end, which
    identifies this claim (``filter(field=until)``), or ``None`` when nothing was free."""
    now = now or timezone.now()
    until = now + lease
    taken = queryset.filter(lease_free(field, now=now)).update(**{field: until}, **changes)
    return until if taken else None
