from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Rule(models.Model):
    """A domain rule an administrator may change without a deploy (REFERENCE.md: values that could
    not be confirmed are settings with defaults). Defaults live in code (``portal.rules``)."""

    key = models.CharField(_("rule"), max_length=80, unique=True)
    value = models.JSONField(_("value"))
    note = models.CharField(_("reason for the change"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")

    def __str__(self) -> str:
        return self.key
