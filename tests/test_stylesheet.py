"""The browser gets one stylesheet, css/site.css, joined from static/css/site/*.css in name order."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.templatetags.static import static
from django.test import override_settings
from django.urls import reverse

from config.staticfiles import StylesheetBundleFinder

SOURCES = Path(settings.BASE_DIR) / "static" / "css" / "site"


def joined_sources() -> bytes:
    sources = sorted(SOURCES.glob("*.css"))
    # The file names give the cascade order: base, layout, components, pages.
    assert [source.name for source in sources] == [
        "01-base.css",
        "02-layout.css",
        "03-components.css",
        "04-pages.css",
    ]
    return b"".join(source.read_bytes() for source in sources)


def test_the_finder_joins_the_sources_in_name_order():
    found = finders.find("css/site.css")

    assert Path(found).read_bytes() == joined_sources()
    assert b"@import" not in joined_sources()  # one request, no chain of stylesheets


@override_settings(DEBUG=True)  # whitenoise then serves through the finders, as under runserver
def test_the_stylesheet_url_serves_the_joined_sources(client):
    response = client.get(static("css/site.css"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert b"".join(response.streaming_content) == joined_sources()


def test_collectstatic_for_production_writes_the_joined_stylesheet_under_a_hashed_name(tmp_path):
    # The production storage (the Dockerfile's collectstatic runs with DEBUG=false), over this
    # project's own files only: compressing the apps' files too takes most of a minute.
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    project_finders = [
        finder for finder in settings.STATICFILES_FINDERS if "AppDirectories" not in finder
    ]
    with override_settings(
        STATIC_ROOT=tmp_path, STORAGES=storages, STATICFILES_FINDERS=project_finders
    ):
        call_command("collectstatic", interactive=False, verbosity=0)

        hashed = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]["css/site.css"]
        assert re.fullmatch(r"css/site\.[0-9a-f]{12}\.css", hashed)
        assert (tmp_path / hashed).read_bytes() == joined_sources()
        assert (tmp_path / f"{hashed}.gz").exists()
        assert static("css/site.css") == f"/static/{hashed}"


@pytest.mark.django_db
def test_the_base_template_links_exactly_one_stylesheet(client):
    page = client.get(reverse("login")).content.decode()

    stylesheets = [tag for tag in re.findall(r"<link\b[^>]*>", page) if "stylesheet" in tag]
    assert stylesheets == [f'<link rel="stylesheet" href="{static("css/site.css")}">']
    assert "<style" not in page


def test_an_edited_source_is_served_on_the_next_request(tmp_path):
    sources = tmp_path / "static" / "css" / "site"
    sources.mkdir(parents=True)
    (sources / "01-base.css").write_text("a {}\n")
    (sources / "02-pages.css").write_text("b {}\n")
    finder = StylesheetBundleFinder(source_root=tmp_path / "static", build_root=tmp_path / "build")

    assert Path(finder.find("css/site.css")).read_text() == "a {}\nb {}\n"
    (sources / "02-pages.css").write_text("b { color: red; }\n")
    assert Path(finder.find("css/site.css")).read_text() == "a {}\nb { color: red; }\n"
    assert finder.find("css/other.css") is None
    assert finder.check() == []


def test_a_bundle_without_sources_fails_the_system_checks(tmp_path):
    finder = StylesheetBundleFinder(source_root=tmp_path, build_root=tmp_path / "build")

    assert [error.id for error in finder.check()] == ["config.E001"]
