"""The portal's additions to the Wagtail admin: hotlines and contact officials as snippets
(scoped to the editor's area), and the page-serving hook of ``serving``."""

from __future__ import annotations

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from phongdich.accounts.jurisdiction import area_q
from phongdich.accounts.models import Role
from phongdich.portal import serving  # noqa: F401  (registers before_serve_page)
from phongdich.portal.contacts import ContactOfficial, Hotline


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
