from django import template

from phongdich.vaccination.names import vaccine_name

register = template.Library()


@register.filter
def vaccine(code):
    """A product code with the name staff use beside it."""
    return vaccine_name(code or "")
