"""The fixed wording printed on certificates, per language.

Kept here rather than in the UI's translation catalogues: this is document text that is frozen
into each certificate's snapshot, reviewed as a whole, and must not change when a UI string does.
"""

from trainings.languages import DOCUMENT_LANGUAGE_CHOICES as LANGUAGE_CHOICES

LANGUAGE_CODES = [code for code, _label in LANGUAGE_CHOICES]

SIDE_LABELS = {
    "en": {
        "title": "Certificate of Completion",
        "intro": "This is to certify that",
        "completed": "has successfully completed the",
        "modules_label": "Thematic modules",
        "hours": "{hours} hours",
    },
    "ru": {
        "title": "Сертификат об окончании курса",
        "intro": "Настоящим удостоверяется, что",
        "completed": "успешно завершил(а) курс",
        "modules_label": "Тематические модули",
        "hours": "{hours} ч.",
    },
    "ar": {
        "title": "شهادة إتمام",
        "intro": "تشهد هذه الوثيقة بأن",
        "completed": "قد أتمّ بنجاح",
        "modules_label": "الوحدات المواضيعية",
        "hours": "{hours} ساعة",
    },
}

FOOTER_LABELS = {
    "en": {"serial": "No.", "issued": "Issued", "verify": "Scan or enter the code to verify"},
    "ru": {"serial": "№", "issued": "Выдан", "verify": "Проверка: отсканируйте или введите код"},
    "ar": {"serial": "رقم", "issued": "تاريخ الإصدار", "verify": "امسح الرمز أو أدخله للتحقق"},
}


def sides_of(language: str) -> list[str]:
    """The languages printed side by side: 'ar-en' puts English left and Arabic right."""
    if language == "ar-en":
        return ["en", "ar"]
    return [language]
