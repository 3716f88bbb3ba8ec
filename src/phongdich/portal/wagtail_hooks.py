"""The portal's additions to the Wagtail admin: hotlines and contact officials as snippets
(scoped to the editor's area), and the page-serving hook of ``serving``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin import widgets
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from phongdich.accounts.jurisdiction import area_q
from phongdich.accounts.models import Role
from phongdich.portal import serving  # noqa: F401  (registers before_serve_page)
from phongdich.portal.contacts import ContactOfficial, Hotline
from phongdich.portal.pages import ArticlePage


class _AreaScoped(SnippetViewSet):
    """A ward officer edits their ward's rows; site-wide rows belong to administrators."""

    def get_queryset(self, request):
        rows = self.model._default_manager.all()
        user = request.user
        if getattr(user, "role", None) == Role.ADMIN or user.is_superuser:
            return rows
        return rows.filter(area_q(user))


class HotlineViewSet(_AreaScoped):
    model = Hotline
    icon = "mail"
    menu_label = "Điện thoại hữu ích"
    list_display = ["label", "number", "ward", "on_posters", "order"]


class ContactOfficialViewSet(_AreaScoped):
    model = ContactOfficial
    icon = "user"
    menu_label = "Cán bộ đầu mối"
    list_display = ["name", "title", "phone", "email", "ward"]


register_snippet(HotlineViewSet)
register_snippet(ContactOfficialViewSet)


def _sms_button(page, user):
    """ "Send as SMS" beside a published article (issue 18's information campaigns)."""
    if not isinstance(page.specific, ArticlePage) or not page.live:
        return
    if getattr(user, "role", None) not in (Role.WARD_OFFICER, Role.PROVINCE_OFFICER):
        return
    yield widgets.Button(
        _("Send as SMS campaign"),
        reverse("portal:article_sms", args=[page.pk]),
        icon_name="mail",
        priority=60,
    )


@hooks.register("register_page_header_buttons")
def article_sms_header_button(page, user, view_name=None, next_url=None):
    yield from _sms_button(page, user)


@hooks.register("register_page_listing_more_buttons")
def article_sms_listing_button(page, user, next_url=None):
    yield from _sms_button(page, user)
