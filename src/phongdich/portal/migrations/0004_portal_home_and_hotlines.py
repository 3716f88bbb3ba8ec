"""The site's home page becomes the portal's (Wagtail's default "Welcome" page is replaced), and
the hotlines configured in PHONGDICH_HOTLINES become rows an administrator edits."""

from django.conf import settings
from django.db import migrations


def create_home(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    PortalHomePage = apps.get_model("portal.PortalHomePage")
    Hotline = apps.get_model("portal.Hotline")

    plain, _ = ContentType.objects.get_or_create(model="page", app_label="wagtailcore")
    Page.objects.filter(content_type=plain, slug="home", depth=2).delete()
    if not PortalHomePage.objects.exists():
        locale = Locale.objects.order_by("pk").first() or Locale.objects.create(
            language_code=settings.LANGUAGE_CODE
        )
        root = Page.objects.filter(depth=1).order_by("path").first()
        if root is None:
            root = Page.objects.create(
                title="Root", draft_title="Root", slug="root", content_type=plain,
                path="0001", depth=1, numchild=0, url_path="/", locale=locale,
            )  # fmt: skip
        siblings = Page.objects.filter(depth=2, path__startswith=root.path)
        last = siblings.order_by("-path").values_list("path", flat=True).first()
        number = int(last[-4:], 36) + 1 if last else 1
        slug = "home" if not siblings.filter(slug="home").exists() else "portal"
        content_type, _ = ContentType.objects.get_or_create(
            model="portalhomepage", app_label="portal"
        )
        home = PortalHomePage.objects.create(
            title="Phòng, chống dịch",
            draft_title="Phòng, chống dịch",
            slug=slug,
            content_type=content_type,
            path=root.path + _base36(number),
            depth=2,
            numchild=0,
            url_path=f"/{slug}/",
            locale=locale,
            live=True,
        )
        Page.objects.filter(pk=root.pk).update(numchild=siblings.count())
        Site.objects.filter(is_default_site=True).delete()
        Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True, site_name=""
        )
    if not Hotline.objects.exists():
        for order, number in enumerate(settings.HOTLINES):
            Hotline.objects.create(
                label="Đường dây nóng", number=number, on_posters=True, order=order
            )


def _base36(number: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    for _ in range(4):  # treebeard's step length in Wagtail's page tree
        number, digit = divmod(number, 36)
        out = digits[digit] + out
    return out


def remove_home(apps, schema_editor):
    apps.get_model("portal.PortalHomePage").objects.filter(depth=2).delete()
    apps.get_model("portal.Hotline").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_wagtail_portal"),
        ("wagtailcore", "0097_baselogentry_uuid_action_timestamp_indexes"),
    ]

    operations = [migrations.RunPython(create_home, remove_home)]
