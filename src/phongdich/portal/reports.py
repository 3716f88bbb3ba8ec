"""Citizen reports (phản ánh) of false information or problems, as the directive asks ("xử lý
nghiêm … thông tin sai trái"): a public form, a moderation queue for the ward's officers, a reply
that may be published, and a private status page the reporter reaches by an opaque link.

Spam resistance without third-party captchas: a hidden field people never fill, a signed form
timestamp (too fast or too old is refused), a rate limit per address, a cap on links. Nothing about
the reporter is stored (no address, no name); a contact is optional and never shown publicly."""

from __future__ import annotations

import io
import re

from django.core import signing
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from phongdich.lib.codes import new_token
from phongdich.lib.errors import FieldError, InputErrors

FORM_SALT = "portal.report.form"
MIN_SECONDS, MAX_SECONDS = 3, 2 * 3600
MAX_LINKS = 3
MAX_PHOTO_BYTES = 5 * 1024 * 1024
_URL_RE = re.compile(r"https?://", re.IGNORECASE)


class ReportKind(models.TextChoices):
    FALSE_INFO = "false_info", _("False information about the epidemic")
    PROBLEM = "problem", _("A problem in the ward")


class ReportStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_REVIEW = "in_review", _("Being handled")
    ANSWERED = "answered", _("Answered")
    REJECTED = "rejected", _("Not accepted (spam or off-topic)")


class CitizenReport(models.Model):
    ward = models.ForeignKey(
        "places.Ward", verbose_name=_("ward"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ReportKind.choices)
    text = models.TextField(_("what happened"), max_length=3000)
    link = models.URLField(_("link"), blank=True, max_length=500)
    photo = models.ImageField(_("photo"), upload_to="reports/", blank=True)
    contact = models.CharField(_("contact (optional)"), max_length=120, blank=True)
    token = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        max_length=12, choices=ReportStatus.choices, default=ReportStatus.RECEIVED, db_index=True
    )
    reply = models.TextField(_("reply"), blank=True, max_length=3000)
    reply_public = models.BooleanField(_("publish the reply"), default=False)
    created_at = models.DateTimeField(db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("citizen report")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"


def form_stamp() -> str:
    return signing.dumps(int(timezone.now().timestamp()), salt=FORM_SALT)


def _check_stamp(stamp: str) -> bool:
    try:
        issued = signing.loads(stamp, salt=FORM_SALT, max_age=MAX_SECONDS)
    except signing.BadSignature:
        return False
    age = timezone.now().timestamp() - issued
    return MIN_SECONDS <= age <= MAX_SECONDS


def _clean_photo(upload) -> ContentFile | None:
    """Re-encode the photo as JPEG: drops EXIF (places, phone models) and anything hidden in it."""
    if not upload:
        return None
    from PIL import Image, UnidentifiedImageError

    if upload.size > MAX_PHOTO_BYTES:
        raise InputErrors.one(
            "photo", "photo_too_large", "Ảnh lớn hơn 5 MB.", "The photo is larger than 5 MB."
        )
    try:
        with Image.open(upload) as image:
            image.thumbnail((1600, 1600))
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=82)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise InputErrors.one(
            "photo", "not_an_image", "Tệp ảnh không hợp lệ.", "This is not a picture."
        ) from error
    return ContentFile(out.getvalue(), name=f"{new_token()[:16]}.jpg")


def do_submit_report(
    *,
    ward,
    kind: str,
    text: str,
    link: str = "",
    contact: str = "",
    photo=None,
    stamp: str = "",
    honeypot: str = "",
) -> CitizenReport:
    """Validate a citizen's report and store it; returns it (its token is the private link)."""
    errors = []
    if honeypot or not _check_stamp(stamp):
        errors.append(
            FieldError(
                "form",
                "form_expired",
                "Biểu mẫu đã hết hạn hoặc gửi quá nhanh; vui lòng thử lại.",
                "The form expired or was sent too fast; please try again.",
            )
        )
    if ward is None:
        errors.append(
            FieldError("ward", "required", "Vui lòng chọn phường/xã.", "Please choose the ward.")
        )
    if kind not in ReportKind.values:
        errors.append(
            FieldError(
                "kind",
                "invalid_choice",
                "Vui lòng chọn loại phản ánh.",
                "Please choose what you report.",
            )
        )
    text = (text or "").strip()
    if not 10 <= len(text) <= 3000:
        errors.append(
            FieldError(
                "text",
                "length",
                "Nội dung từ 10 đến 3000 ký tự.",
                "Between 10 and 3000 characters.",
            )
        )
    elif len(_URL_RE.findall(text)) > MAX_LINKS:
        errors.append(
            FieldError(
                "text",
                "too_many_links",
                "Nội dung có quá nhiều đường dẫn.",
                "Too many links in the text.",
            )
        )
    link = (link or "").strip()
    if link and (not _URL_RE.match(link) or len(link) > 500 or any(c.isspace() for c in link)):
        errors.append(
            FieldError(
                "link",
                "invalid_url",
                "Đường dẫn phải bắt đầu bằng http:// hoặc https://.",
                "The link must start with http:// or https://.",
            )
        )
    if errors:
        raise InputErrors(errors)
    picture = _clean_photo(photo)
    with transaction.atomic():
        report = CitizenReport(
            ward=ward,
            kind=kind,
            text=text,
            link=link,
            contact=(contact or "").strip()[:120],
            token=new_token(),
            created_at=timezone.now(),
        )
        if picture is not None:
            report.photo.save(picture.name, picture, save=False)
        report.save()
    return report


def do_answer_report(
    report: CitizenReport, *, actor, status: str, reply: str, publish: bool
) -> CitizenReport:
    """An officer's answer (already access-checked); audited."""
    from phongdich.accounts import audit

    errors = []
    if status not in ReportStatus.values:
        errors.append(
            FieldError("status", "invalid_choice", "Trạng thái không hợp lệ.", "Invalid status.")
        )
    reply = (reply or "").strip()
    if status == ReportStatus.ANSWERED and not reply:
        errors.append(
            FieldError(
                "reply", "required", "Vui lòng nhập nội dung trả lời.", "Please write the reply."
            )
        )
    if len(reply) > 3000:
        errors.append(
            FieldError("reply", "length", "Tối đa 3000 ký tự.", "3000 characters at most.")
        )
    if errors:
        raise InputErrors(errors)
    with transaction.atomic():
        report = CitizenReport.objects.select_for_update().get(pk=report.pk)
        report.status, report.reply = status, reply
        report.reply_public = publish and status == ReportStatus.ANSWERED
        report.answered_at = timezone.now() if reply else report.answered_at
        report.answered_by = actor
        report.save()
        audit.record(
            "report.answer",
            actor=actor,
            obj=report,
            ward=report.ward,
            detail={"status": status, "public": report.reply_public},
        )
    return report


def published(ward_id: int | None = None, limit: int = 20):
    rows = CitizenReport.objects.filter(reply_public=True, status=ReportStatus.ANSWERED)
    if ward_id:
        rows = rows.filter(ward_id=ward_id)
    return rows.select_related("ward").order_by("-answered_at")[:limit]
