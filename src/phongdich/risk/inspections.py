"""Inspection tasks of the workplace self-assessment (docs/reference/risk.md §9): the ward
officer's checklist, findings, photos, the business's re-assessments since the task opened, and
closing. The required fixes, each with its own deadline, are in :mod:`phongdich.risk.fixes`.

Photos are re-encoded as JPEG (drops EXIF: places, phone models; and anything hidden after the
image), at most ``MAX_PHOTO_BYTES`` each and ``MAX_PHOTOS`` per task; they are served only
through :func:`phongdich.risk.workplace_views.inspection_photo` to staff of the ward's area."""

from __future__ import annotations

import io
import secrets
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from phongdich.accounts.jurisdiction import area_q
from phongdich.lib.errors import FieldError, InputErrors
from phongdich.risk.models import InspectionPhoto, InspectionTask, SelfAssessment

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTOS = 10
MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded
FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}  # what phone cameras and browsers send


def access_inspection(user: Any, pk: int) -> InspectionTask:
    """One task inside the user's area, or 404 (a task elsewhere is not revealed)."""
    task = (
        InspectionTask.objects.filter(area_q(user))
        .select_related("business", "assessment", "ward")
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise Http404
    return task


def access_photo(user: Any, task_pk: int, photo_pk: int) -> InspectionPhoto:
    task = access_inspection(user, task_pk)
    photo = InspectionPhoto.objects.filter(task=task, pk=photo_pk).first()
    if photo is None:
        raise Http404
    return photo


def reassessments(task: InspectionTask) -> list[SelfAssessment]:
    """The business's assessments from the one that opened the task on, newest first."""
    return list(
        SelfAssessment.objects.filter(
            business_id=task.business_id, created_at__gte=task.assessment.created_at
        ).order_by("-created_at", "-pk")[:20]
    )


def clean_photo(upload: Any) -> ContentFile:
    """The upload re-encoded as JPEG under a random name, or a bilingual error naming 'photo'."""
    from PIL import Image, UnidentifiedImageError

    if upload.size > MAX_PHOTO_BYTES:
        raise InputErrors.one(
            "photo", "photo_too_large", "Ảnh lớn hơn 8 MB.", "The photo is larger than 8 MB."
        )
    not_a_picture = InputErrors.one(
        "photo",
        "not_an_image",
        "Tệp không phải ảnh JPEG, PNG hoặc WebP.",
        "The file is not a JPEG, PNG or WebP picture.",
    )
    try:
        with Image.open(upload) as image:
            if image.format not in FORMATS:
                raise not_a_picture
            if image.width * image.height > MAX_PIXELS:
                raise InputErrors.one(
                    "photo",
                    "photo_too_many_pixels",
                    "Ảnh quá nhiều điểm ảnh (tối đa 40 triệu).",
                    "The picture has too many pixels (40 million at most).",
                )
            image.thumbnail((1600, 1600))
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=82)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError) as error:
        raise not_a_picture from error
    return ContentFile(out.getvalue(), name=f"{secrets.token_hex(12)}.jpg")


def _closed() -> InputErrors:
    return InputErrors.one(
        "status", "inspection_closed", "Nhiệm vụ đã đóng.", "The task is closed."
    )


def _too_many_photos() -> FieldError:
    return FieldError(
        "photo",
        "too_many_photos",
        f"Tối đa {MAX_PHOTOS} ảnh cho một lần kiểm tra.",
        f"{MAX_PHOTOS} photos per inspection at most.",
    )


def do_update_inspection(
    task: InspectionTask, actor: Any, data: dict[str, Any], done: set[str], photos: list[Any]
) -> InspectionTask:
    """Save the officer's work on an open task; every field is checked before anything is
    written, and a bad field (named, in both languages) changes nothing.

    ``task`` is the view's unlocked copy, and re-encoding the photos takes seconds: meanwhile
    another officer may close the task, or the business's re-assessment point it at a newer
    assessment. So the row is locked and read again before writing, a task closed meanwhile is
    refused, and only the fields this action changes are written (never the stale copy's status,
    closer or assessment)."""
    if task.status != "open":
        raise _closed()
    findings = str(data.get("findings", ""))
    errors = []
    if len(findings) > 5000:
        errors.append(
            FieldError("findings", "too_long", "Tối đa 5.000 ký tự.", "5,000 characters at most.")
        )
    if task.photos.count() + len(photos) > MAX_PHOTOS:
        errors.append(_too_many_photos())
    cleaned = []
    for upload in photos:
        try:
            cleaned.append(clean_photo(upload))
        except InputErrors as exc:
            errors += exc.errors
    if errors:
        raise InputErrors(errors)
    now = timezone.now()
    with transaction.atomic():
        locked = InspectionTask.objects.select_for_update().filter(pk=task.pk).first()
        if locked is None:
            raise Http404
        if locked.status != "open":
            raise _closed()
        if locked.photos.count() + len(cleaned) > MAX_PHOTOS:  # another upload meanwhile
            raise InputErrors([_too_many_photos()])
        locked.checklist = [{**c, "done": c["item"] in done} for c in locked.checklist]
        locked.findings = findings
        fields = ["checklist", "findings"]
        if data.get("close"):
            locked.status, locked.closed_by, locked.closed_at = "done", actor, now
            fields += ["status", "closed_by", "closed_at"]
        locked.save(update_fields=fields)
        for picture in cleaned:
            photo = InspectionPhoto(task=locked, uploaded_by=actor, uploaded_at=now)
            photo.image.save(picture.name, picture, save=True)
    return locked
