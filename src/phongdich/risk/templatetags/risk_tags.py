from django import template
from django.utils import translation

register = template.Library()


@register.filter
def get(mapping, key):
    """``mapping|get:key`` (dict lookup with a variable key; None when absent)."""
    if not mapping:
        return None
    return mapping.get(key)


@register.simple_tag
def lang_pair(vi, en=None):
    """The Vietnamese or English of a pair, by the active language. Accepts a [vi, en] list."""
    if en is None and isinstance(vi, (list, tuple)):
        vi, en = [*vi, "", ""][:2]
    return en if translation.get_language() == "en" and en else (vi or "")


@register.filter
def has_unconfirmed(questionnaire):
    """Whether a questionnaire has any question or answer no official text confirms."""
    return any(
        not i.confirmed or any(not a.confirmed for a in i.answers) for i in questionnaire.indicators
    )
