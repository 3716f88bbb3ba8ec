from django import template
from django.utils.translation import get_language

from phongdich.checkpoints.declarations import CONDITIONS, EXPOSURES, SYMPTOMS

register = template.Library()
_ALL = {**SYMPTOMS, **EXPOSURES, **CONDITIONS}


@register.filter
def declaration_labels(codes):
    """Declaration codes (``fever``, ``covid_case``) as the words people read, in the page's
    language."""
    vi = (get_language() or "vi").startswith("vi")
    return ", ".join(
        (_ALL[c][1] if vi else str(_ALL[c][0])) if c in _ALL else c for c in codes or []
    )
