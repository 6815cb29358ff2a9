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


# --- Bounded work: a design cannot hold a worker or a web process ----------------------------

NESTED_LOOPS = "{% for a in '0123456789' %}" * 7 + "." + "{% endfor %}" * 7  # 10 million steps


def test_a_design_that_loops_for_too_long_is_stopped_with_the_reason():
    with pytest.raises(RenderError, match=r"took more than 0\.2 seconds"):
        renderer().render_html(NESTED_LOOPS, {"c": {}}, seconds=0.2)


def test_a_design_that_writes_too_much_html_is_refused(monkeypatch):
    monkeypatch.setattr("certificates.rendering.MAX_OUTPUT_SIZE", 5_000)
    many = (
        "{% for a in '0123456789' %}{% for b in '0123456789' %}"
        + "x" * 100
        + "{% endfor %}{% endfor %}"
    )
    with pytest.raises(RenderError, match="10,000 characters of HTML"):
        renderer().render_html(many, {"c": {}})


@pytest.mark.parametrize("padding", ["ljust", "rjust", "center"])
def test_padding_filters_that_make_strings_of_any_length_are_not_available(padding):
    with pytest.raises(RenderError, match="design has an error"):
        renderer().render_html(f"{{{{ c.serial|{padding}:1000000000 }}}}", {"c": {"serial": "x"}})


def test_blocks_nested_too_deeply_to_lay_out_fail_with_the_reason():
    html = "<div>" * 2000 + "{{ c.holder.name }}" + "</div>" * 2000
    with pytest.raises(RenderError, match=r"nests its blocks too deeply|could not be laid out"):
        renderer().render_pdf(html_template=html, css="", context={"c": {"holder": {"name": "A"}}})


def test_saving_a_design_that_loops_too_long_is_refused(monkeypatch):
    monkeypatch.setattr("certificates.rendering.PREVIEW_SECONDS", 0.2)
    monkeypatch.setattr("certificates.services.designs.PREVIEW_SECONDS", 0.2)
    with pytest.raises(DomainError, match="took more than"):
        services.design_save(design=CertificateDesign(name="Slow", html=NESTED_LOOPS, css=""))


def test_the_preview_of_a_slow_design_answers_400_with_the_reason(client, carol, monkeypatch):
    monkeypatch.setattr("certificates.preview.PREVIEW_SECONDS", 0.2)
    design = CertificateDesign.objects.create(name="Slow", html=NESTED_LOOPS, css="")
    client.force_login(carol)
    response = client.get(f"/certificates/designs/{design.pk}/preview/")
    assert response.status_code == 400
    assert "took more than 0.2 seconds" in response.content.decode()
