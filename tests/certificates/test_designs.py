"""Coordinator-edited designs: previewed on a sample trainee, sandboxed, versioned."""

import io

import pytest
from pypdf import PdfReader

from certificates import services
from certificates.models import CertificateDesign
from certificates.rendering import RenderError, builtin_design, renderer
from core.errors import DomainError

pytestmark = pytest.mark.django_db


def test_a_coordinator_previews_the_builtin_design_in_arabic_and_english(client, carol):
    client.force_login(carol)
    response = client.get("/certificates/designs/preview/", {"language": "ar-en"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Zainab Al-Musawi" in text and "زينب الموسوي" in text


@pytest.mark.parametrize(("actor", "expected"), [("alice", 403), ("bob", 403)])
def test_other_roles_cannot_preview(client, request, actor, expected):
    client.force_login(request.getfixturevalue(actor))
    assert client.get("/certificates/designs/preview/").status_code == expected


@pytest.mark.parametrize(
    "template",
    [
        "{% load static %}x",
        "{% include 'base.html' %}",
        "{% debug %}",
        "{{ c.holder.name|safe }}",
        "{% autoescape off %}{{ c.holder.name }}{% endautoescape %}",
    ],
)
def test_the_design_sandbox_refuses_what_could_leak_or_unescape(template):
    with pytest.raises(RenderError):
        renderer().render_html(template, {"c": {"holder": {"name": "<b>x</b>"}}})


def test_designs_cannot_reach_settings_through_the_context():
    assert renderer().render_html("{{ settings.SECRET_KEY }}{{ request.user }}", {"c": {}}) == ""
    with pytest.raises(RenderError):
        renderer().render_html("{{ c.__class__ }}", {"c": {}})


def test_changing_a_design_bumps_its_version():
    html, css = builtin_design("classic")
    design = services.design_save(design=CertificateDesign(name="Classic", html=html, css=css))
    assert design.version == 1
    design.css = css + "\n.title { color: black; }"
    assert services.design_save(design=design).version == 2
    design.name = "Renamed"
    assert services.design_save(design=design).version == 2


def test_a_broken_design_is_refused_with_the_reason():
    with pytest.raises(DomainError, match="design has an error"):
        services.design_save(design=CertificateDesign(name="Broken", html="{% if %}", css=""))
