"""A sample certificate for previewing designs: made of unsaved objects, never stored."""

import datetime as dt
from decimal import Decimal

from participants.models import Enrolment, Participant
from trainings.models import Course, Programme, ThematicModule

from . import codes
from .labels import LANGUAGE_CODES
from .models import CertificateDesign
from .rendering import PREVIEW_SECONDS, builtin_design, qr_svg_data_uri, renderer
from .snapshot import build_snapshot

SAMPLE_MODULES = [
    ("Legal migration", "Легальная миграция", "الهجرة القانونية"),
    ("Trafficking in human beings", "Торговля людьми", "الاتجار بالبشر"),
    ("Border management", "Управление границами", "إدارة الحدود"),
]


def sample_snapshot(language: str) -> dict:
    programme = Programme(name="Silk Routes Partnership for Migration", acronym="SRP")
    course = Course(
        programme=programme,
        code="ERB",
        title="Training of Trainers on Migration Management — Erbil",
        kind="tot",
        city="Erbil",
        country="IQ",
        start_date=dt.date(2016, 5, 15),
        end_date=dt.date(2016, 5, 24),
        hours=Decimal(60),
    )
    participant = Participant(
        first_name="Zainab", last_name="Al-Musawi", native_name="زينب الموسوي"
    )
    modules = [
        ThematicModule(title_en=en, title_ru=ru, title_ar=ar) for en, ru, ar in SAMPLE_MODULES
    ]
    return build_snapshot(
        enrolment=Enrolment(participant=participant, course=course),
        course=course,
        modules=modules,
        signatories=[
            {"name": "Head of Project", "title": "Silk Routes Partnership", "image": ""},
            {"name": "Course Director", "title": "Training of Trainers", "image": ""},
        ],
        language=language if language in LANGUAGE_CODES else "en",
        serial="SRP-2016-ERB-0007",
        code=codes.format_code("7KQ2M9XD4HRTB0CW"),
        issued_on=dt.date(2016, 5, 24),
        design={"id": None, "name": "preview", "version": 0},
    )


def sample_context(language: str) -> dict:
    snapshot = sample_snapshot(language)
    return {"c": snapshot, "qr": qr_svg_data_uri(snapshot["verify_url"])}


def preview_pdf(design: CertificateDesign | None, language: str) -> bytes:
    html, css = (design.html, design.css) if design else builtin_design("classic")
    return renderer().render_pdf(
        html_template=html, css=css, context=sample_context(language), seconds=PREVIEW_SECONDS
    )
