"""The training services on their own: manual versions and guarded deletes."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import ConflictError, DomainError
from core.records import record_delete
from tests.factories import CourseFactory, ThematicModuleFactory
from trainings.models import Manual
from trainings.services import manual_create


def pdf(name="manual.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", "application/pdf")


def test_manual_versions_are_numbered_per_module_and_language(db):
    module = ThematicModuleFactory()
    made = [
        manual_create(module=module, language=lang, title="Manual", file=pdf())
        for lang in ("en", "en", "ar", "en")
    ]
    assert [(m.language, m.version) for m in made] == [("en", 1), ("en", 2), ("ar", 1), ("en", 3)]


def test_a_new_version_follows_the_highest_even_after_a_deletion(db):
    module = ThematicModuleFactory()
    first = manual_create(module=module, language="en", title="Manual", file=pdf())
    manual_create(module=module, language="en", title="Manual", file=pdf())
    first.delete()
    third = manual_create(module=module, language="en", title="Manual", file=pdf())
    assert third.version == 3


def stored_files(settings) -> list:
    media = Path(settings.MEDIA_ROOT)
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_an_oversized_upload_is_refused_before_anything_is_stored(db, settings):
    settings.MAX_UPLOAD_SIZE = 5
    with pytest.raises(DomainError) as caught:
        manual_create(module=ThematicModuleFactory(), language="en", title="Manual", file=pdf())
    assert caught.value.field == "file"
    assert not Manual.objects.exists()
    assert stored_files(settings) == []


def test_a_failed_save_leaves_no_file_behind(db, settings, monkeypatch):
    def broken_save(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Manual, "save", broken_save)
    with pytest.raises(RuntimeError):
        manual_create(module=ThematicModuleFactory(), language="en", title="Manual", file=pdf())
    assert stored_files(settings) == []


def test_a_blank_title_is_refused(db):
    with pytest.raises(DomainError):
        manual_create(module=ThematicModuleFactory(), language="en", title="  ", file=pdf())


def test_deleting_a_referenced_row_is_a_conflict_naming_what_refers_to_it(db):
    course = CourseFactory()
    with pytest.raises(ConflictError) as caught:
        record_delete(instance=course.programme)
    assert "courses" in caught.value.message
