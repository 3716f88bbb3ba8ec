"""Per-ward sections from one installation, with staff roles mapped to the platform's.

Every section (the site home for the province, a ``WardHomePage`` for a ward) gets two Wagtail
groups — *editors* write and submit, *leaders* approve and publish — with page permissions on that
section only, a document/image collection of its own, and a one-step approval workflow (leaders)
on its pages. A platform account joins a group only when its role is an officer's (or admin) and
its area covers the section's ward (``accounts.jurisdiction``), so a ward officer of Quảng Phú can
never edit Hạc Thành's news. Granting is done by an administrator or a province officer of that
province, and audited."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.text import slugify
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import can_see_ward
from phongdich.accounts.models import Role
from phongdich.lib.errors import InputErrors
from phongdich.portal.pages import PortalHomePage, WardHomePage

EDITOR, LEADER = "editor", "leader"
PORTAL_ROLES = (EDITOR, LEADER)
# Which platform roles may hold a portal role (their area must also cover the section).
ALLOWED_PLATFORM_ROLES = {Role.ADMIN, Role.PROVINCE_OFFICER, Role.WARD_OFFICER}
PAGE_PERMISSIONS = {
    EDITOR: ("add_page", "change_page"),
    LEADER: ("add_page", "change_page", "publish_page", "lock_page", "unlock_page"),
}
MEDIA_PERMISSIONS = (
    ("wagtaildocs", ("add_document", "change_document", "choose_document")),
    ("wagtailimages", ("add_image", "change_image", "choose_image")),
)
GROUP_LABEL = {EDITOR: "Biên tập viên", LEADER: "Lãnh đạo duyệt tin"}


@dataclass(frozen=True)
class Section:
    page: Page
    ward: object | None

    @property
    def name(self) -> str:
        return self.ward.name if self.ward is not None else self.page.title


def group_name(section_page: Page, role: str) -> str:
    return f"Cổng TT #{section_page.pk} {section_page.title[:80]} — {GROUP_LABEL[role]}"


def site_home() -> PortalHomePage:
    """The default site's home page (created by the portal's migration, again here when the
    tables were emptied)."""
    site = Site.objects.select_related("root_page").filter(is_default_site=True).first()
    if site is None:
        return _create_site_home()
    return site.root_page.specific


@transaction.atomic
def _create_site_home() -> PortalHomePage:
    from django.conf import settings
    from wagtail.models import Locale

    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if not Collection.objects.exists():
        Collection.add_root(name="Root")
    root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
    home = root.add_child(instance=PortalHomePage(title="Phòng, chống dịch", slug="home"))
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    return home


def _collection(title: str) -> Collection:
    root = Collection.get_first_root_node()
    if root is None:
        site_home()
        root = Collection.get_first_root_node()
    existing = root.get_children().filter(name=title).first()
    return existing or root.add_child(name=title)


@transaction.atomic
def ensure_section_roles(page: Page) -> dict[str, Group]:
    """The two groups of a section, their permissions, collection and workflow (idempotent)."""
    admin_access = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    collection = _collection(page.title[:200])
    groups = {}
    for role in PORTAL_ROLES:
        group, _ = Group.objects.get_or_create(name=group_name(page, role))
        group.permissions.add(admin_access)
        for codename in PAGE_PERMISSIONS[role]:
            GroupPagePermission.objects.get_or_create(
                group=group,
                page=page,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=codename
                ),
            )
        for app, codenames in MEDIA_PERMISSIONS:
            for codename in codenames:
                GroupCollectionPermission.objects.get_or_create(
                    group=group,
                    collection=collection,
                    permission=Permission.objects.get(
                        content_type__app_label=app, codename=codename
                    ),
                )
        groups[role] = group
    if not WorkflowPage.objects.filter(page=page).exists():
        workflow = Workflow.objects.create(name=f"Duyệt tin — {page.title[:200]}")
        task = GroupApprovalTask.objects.create(name=f"Lãnh đạo duyệt — {page.title[:200]}")
        task.groups.set([groups[LEADER]])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
        WorkflowPage.objects.create(workflow=workflow, page=page)
    return groups


@transaction.atomic
def do_create_ward_section(ward, *, title: str = "", intro: str = "") -> WardHomePage:
    """A ward's section under the site home, with its roles and workflow (idempotent)."""
    existing = WardHomePage.objects.filter(ward=ward).first()
    if existing is not None:
        ensure_section_roles(existing)
        return existing
    page = WardHomePage(
        title=title or ward.name,
        slug=slugify(ward.name.replace("đ", "d").replace("Đ", "D")),
        ward=ward,
        intro=intro,
    )
    site_home().add_child(instance=page)
    page.save_revision().publish()
    ensure_section_roles(page)
    return page


def section_of(page: Page) -> Section:
    """The section (ward or site home) a page belongs to."""
    ward_page = (
        WardHomePage.objects.filter(path__in=_ancestor_paths(page)).select_related("ward").first()
    )
    if ward_page is not None:
        return Section(ward_page, ward_page.ward)
    home = PortalHomePage.objects.filter(path__in=_ancestor_paths(page)).first()
    return Section(home or page, None)


def _ancestor_paths(page: Page) -> list[str]:
    steps = len(page.path) // Page.steplen
    return [page.path[: Page.steplen * n] for n in range(1, steps + 1)]


def _covers(user, section_page: Page) -> bool:
    if user.role == Role.ADMIN:
        return True
    ward = getattr(section_page.specific, "ward", None)
    if ward is None:  # the province-wide home: province officers of the site's province
        return user.role == Role.PROVINCE_OFFICER and not user.ward_id
    return can_see_ward(user, ward)


@transaction.atomic
def do_grant_portal_role(actor, user, section_page: Page, role: str) -> None:
    """Make ``user`` an editor or leader of a section; refused outside their role and area."""
    if role not in PORTAL_ROLES:
        raise InputErrors.one(
            "role", "invalid_choice", "Vai trò không hợp lệ.", "Unknown portal role."
        )
    if actor.role not in (Role.ADMIN, Role.PROVINCE_OFFICER) or not _covers(actor, section_page):
        raise PermissionDenied
    if user.role not in ALLOWED_PLATFORM_ROLES or not _covers(user, section_page):
        raise InputErrors.one(
            "user",
            "outside_area",
            "Tài khoản này không thuộc địa bàn hoặc vai trò được biên tập mục này.",
            "This account's role or area does not cover this section.",
        )
    groups = ensure_section_roles(section_page)
    user.groups.add(groups[role])
    ward = getattr(section_page.specific, "ward", None)
    audit.record(
        "portal.grant_role",
        actor=actor,
        obj=user,
        ward=ward,
        detail={"role": role, "section": section_page.pk},
    )


def do_revoke_portal_roles(user, section_page: Page) -> None:
    user.groups.remove(
        *Group.objects.filter(name__in=[group_name(section_page, r) for r in PORTAL_ROLES])
    )
