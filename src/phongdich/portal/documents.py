"""Documents attached to articles (PDF, DOCX): Wagtail's document model plus the text people
search for. The text is read once, on upload, and kept beside the file, so a search matches the
directive inside the attached PDF (docs/reference/portal.md).

Only PDF and DOCX are accepted (``WAGTAILDOCS_EXTENSIONS``), checked by their content too, and no
larger than ``PHONGDICH_PORTAL_DOCUMENT_MAX_MB``; Wagtail serves them through its view with
``Content-Security-Policy: default-src 'none'`` and ``X-Content-Type-Options: nosniff``.
"""

from __future__ import annotations

import io
import zipfile

from defusedxml import ElementTree
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.documents.models import AbstractDocument, Document

MAX_TEXT_CHARS = 200_000
_WORD_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class UnreadableDocument(ValueError):
    pass


def pdf_text(data: bytes) -> str:
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as error:
        raise UnreadableDocument(str(error)) from error
    try:
        parts = []
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            parts.append(textpage.get_text_range())
            textpage.close()
            page.close()
            if sum(map(len, parts)) > MAX_TEXT_CHARS:
                break
        return "\n".join(parts)
    finally:
        pdf.close()


def docx_text(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("word/document.xml")
            if info.file_size > 50 * 1024 * 1024:  # a zip bomb, not a letter
                raise UnreadableDocument("document.xml too large")
            root = ElementTree.fromstring(archive.read(info))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as error:
        raise UnreadableDocument(str(error)) from error
    paragraphs = []
    for paragraph in root.iter(f"{_WORD_NS}p"):
        paragraphs.append("".join(t.text or "" for t in paragraph.iter(f"{_WORD_NS}t")))
    return "\n".join(p for p in paragraphs if p)


def extract_text(name: str, data: bytes) -> str:
    """The text of a PDF or DOCX file; UnreadableDocument when the content is not that."""
    lower = name.lower()
    if lower.endswith(".pdf"):
        if not data.startswith(b"%PDF-"):
            raise UnreadableDocument("not a PDF")
        text = pdf_text(data)
    elif lower.endswith(".docx"):
        text = docx_text(data)
    else:
        raise UnreadableDocument("unsupported type")
    return " ".join(text.split())[:MAX_TEXT_CHARS]


class PortalDocument(AbstractDocument):
    text = models.TextField(_("text"), blank=True, editable=False)

    admin_form_fields = Document.admin_form_fields

    def clean(self) -> None:
        super().clean()
        upload = self.file
        if not upload:
            return
        if upload.size > settings.WAGTAILDOCS_MAX_UPLOAD_SIZE:
            raise ValidationError(
                {"file": _("The file is larger than %(mb)s MB.") % {"mb": _max_mb()}}
            )
        upload.seek(0)
        data = upload.read()
        upload.seek(0)
        try:
            self.text = extract_text(upload.name, data)
        except UnreadableDocument as error:
            raise ValidationError(
                {"file": _("Only readable PDF or DOCX files can be attached.")}
            ) from error


def _max_mb() -> int:
    return settings.WAGTAILDOCS_MAX_UPLOAD_SIZE // (1024 * 1024)
