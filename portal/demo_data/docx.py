"""A minimal Word document (DOCX) with a title and lines of text, for the Russian and Arabic demo
manuals.

The hand-built PDFs of ``pdf.py`` cannot carry Cyrillic or Arabic without embedding fonts; a
DOCX is XML, so any script works, right-to-left paragraphs included. Built with fixed ZIP
timestamps so the bytes (and their SHA-256) are identical on every run.
"""

import io
import zipfile
from xml.sax.saxutils import escape

_FIXED_TIME = (2016, 1, 1, 0, 0, 0)

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)


def _paragraph(text: str, *, rtl: bool, bold: bool = False) -> str:
    bidi = "<w:bidi/>" if rtl else ""
    run_props = ("<w:b/>" if bold else "") + ("<w:rtl/>" if rtl else "")
    return (
        f"<w:p><w:pPr>{bidi}</w:pPr><w:r><w:rPr>{run_props}</w:rPr>"
        f'<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'
    )


def text_docx(title: str, lines: list[str], *, rtl: bool = False) -> bytes:
    """A DOCX whose first paragraph is ``title`` in bold, then one paragraph per line."""
    paragraphs = _paragraph(title, rtl=rtl, bold=True) + "".join(
        _paragraph(line, rtl=rtl) for line in lines
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{paragraphs}</w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (
            ("[Content_Types].xml", _CONTENT_TYPES),
            ("_rels/.rels", _RELS),
            ("word/document.xml", document),
        ):
            archive.writestr(zipfile.ZipInfo(name, _FIXED_TIME), text.encode("utf-8"))
    return buffer.getvalue()
