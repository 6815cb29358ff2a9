"""Removing stored files once the rows that pointed at them are gone."""

import logging
from collections.abc import Iterable

from django.core.files.storage import Storage
from django.db import transaction

logger = logging.getLogger(__name__)


def delete_files(files: Iterable[tuple[Storage, str]]) -> None:
    """Remove the files from storage. A failure is logged, never raised: the rows no longer
    point at the files, so a leftover is an orphan an operator can sweep."""
    for storage, name in files:
        try:
            storage.delete(name)
        except Exception:
            logger.exception("Could not delete %s from storage", name)


def delete_files_after_commit(files: Iterable[tuple[Storage, str]]) -> None:
    """``delete_files`` once the current transaction commits, so a rollback never loses a file
    whose row still points at it."""
    pending = list(files)
    transaction.on_commit(lambda: delete_files(pending))
