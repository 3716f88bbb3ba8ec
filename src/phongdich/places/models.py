"""Administrative divisions: 34 provinces and their wards/communes (two-tier, since 1 July 2025)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Province(models.Model):
    code = models.PositiveIntegerField(_("code"), primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=40)
    codename = models.CharField(max_length=100)
    name_folded = models.CharField(max_length=100, db_index=True)
    phone_code = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return self.name


class Ward(models.Model):
    code = models.PositiveIntegerField(_("code"), primary_key=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="wards")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=40)
    codename = models.CharField(max_length=100)
    name_folded = models.CharField(max_length=100, db_index=True)
    # Filled by an operator (census import); the coverage and risk modules divide by it.
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["province_id", "name"]
        verbose_name = _("ward / commune")
        verbose_name_plural = _("wards / communes")

    def __str__(self) -> str:
        return self.name
