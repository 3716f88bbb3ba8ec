from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def field_errors(errors, name):
    """Errors for one field, in the page's language (Vietnamese by default)."""
    items = (errors or {}).get(name) or []
    if not items:
        return ""
    vi = (get_language() or "vi").startswith("vi")
    return format_html(
        '<ul class="errorlist" id="err-{}">{}</ul>',
        name,
        format_html_join(
            "", "<li>{}</li>", ((e.message_vi if vi else e.message_en,) for e in items)
        ),
    )


@register.filter
def value_of(values, name):
    if not values:
        return ""
    getter = getattr(values, "get", None)
    return getter(name, "") if getter else ""


@register.filter
def checked_in(values, pair):
    """'checked' when a multi-value form field had this option ticked."""
    name, _, option = pair.partition(":")
    if not values:
        return ""
    getlist = getattr(values, "getlist", None)
    chosen = getlist(name) if getlist else values.get(name, [])
    return "checked" if option in chosen else ""


@register.filter
def local_msg(error):
    vi = (get_language() or "vi").startswith("vi")
    return error.message_vi if vi else error.message_en


@register.filter
def pager_query(listing, page):
    """The query string of another page of a ``core.listing.Listing``."""
    return listing.query(page=page)


@register.filter
def sort_query(listing, sort):
    return listing.query(sort=sort, page=None)


@register.filter
def phone(value):
    """A stored phone number as people read it (``+84912345678`` → ``0912 345 678``)."""
    from phongdich.lib.phones import display_phone

    return display_phone(value or "")


@register.filter
def split_words(value):
    return str(value).split()


@register.simple_tag
def person_links(person_id):
    """[(label, url)] that higher apps registered for a person (``core.person_links``)."""
    from phongdich.core.person_links import person_links as links

    return links(person_id)


@register.simple_tag
def country_options(selected):
    """``<option>``s of every country, Việt Nam and its neighbours first, named in the page's
    language (Vietnamese by default); ``selected`` (an ISO code, ``VN`` when empty) is chosen.
    An unknown code the person sent is kept as an option so the form shows what they typed."""
    from phongdich.lib.countries import country_choices, is_country

    chosen = str(selected or "VN").strip().upper()
    choices = list(country_choices(get_language()))
    if not is_country(chosen):
        choices.insert(0, (chosen, chosen))
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((code, " selected" if code == chosen else "", name) for code, name in choices),
    )
