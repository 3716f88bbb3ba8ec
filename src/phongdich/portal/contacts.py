"""Hotlines and contact officials: the seed's "Điện thoại hữu ích" and what Decree 42/2022/NĐ-CP
Art. 4(1)(e) asks a state portal to publish (name, title, phone and e-mail of contact officials)
— docs/reference/portal.md. Edited in one place (the portal admin, *Hotlines* and *Contact
officials*); the site-wide numbers marked for posters are what every page footer and every
checkpoint poster prints (registered with ``core.site``)."""

from __future__ import annotations

import time

from django.db import models
from django.utils.translation import gettext_lazy as _

CACHE_SECONDS = 30
_cache: dict[str, object] = {"at": float("-inf"), "numbers": []}


class Hotline(models.Model):
    ward = models.ForeignKey(
        "places.Ward",
        verbose_name=_("ward"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: shown on every page of the site."),
    )
    label = models.CharField(_("what it is for"), max_length=200)
    number = models.CharField(_("phone number"), max_length=40)
    on_posters = models.BooleanField(_("print on posters and page footers"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("hotline")
        verbose_name_plural = _("hotlines")

    def __str__(self) -> str:
        return f"{self.label}: {self.number}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        forget()


class ContactOfficial(models.Model):
    ward = models.ForeignKey(
        "places.Ward",
        verbose_name=_("ward"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    name = models.CharField(_("full name"), max_length=120)
    title = models.CharField(_("job title"), max_length=200)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("contact official")
        verbose_name_plural = _("contact officials")

    def __str__(self) -> str:
        return f"{self.name} ({self.title})"


def forget() -> None:
    _cache["at"] = float("-inf")


def poster_numbers() -> list[str]:
    """Site-wide numbers for page footers and posters; cached for CACHE_SECONDS per process."""
    now = time.monotonic()
    if now - _cache["at"] > CACHE_SECONDS:  # type: ignore[operator]
        _cache["numbers"] = list(
            Hotline.objects.filter(ward=None, on_posters=True).values_list("number", flat=True)
        )
        _cache["at"] = now
    return _cache["numbers"]  # type: ignore[return-value]


def for_ward(ward_id: int | None) -> tuple[list[Hotline], list[ContactOfficial]]:
    """The hotlines and officials a page of ``ward_id``'s section shows (site-wide ones too)."""
    area = models.Q(ward=None) | models.Q(ward_id=ward_id) if ward_id else models.Q(ward=None)
    return (
        list(Hotline.objects.filter(area).order_by("ward_id", "order", "pk")),
        list(ContactOfficial.objects.filter(area).order_by("ward_id", "order", "pk")),
    )
