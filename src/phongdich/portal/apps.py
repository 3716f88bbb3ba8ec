from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "phongdich.portal"
    verbose_name = _("Ward portal")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from wagtail.signals import page_published, page_unpublished

        from phongdich.core import site
        from phongdich.core.schedule import periodic
        from phongdich.portal import contacts, figures, serving, staff_views  # noqa: F401

        site.register_hotlines(contacts.poster_numbers)
        for signal in (post_save, post_delete):
            signal.connect(_forget_hotlines, sender=contacts.Hotline)
            for model in (contacts.Hotline, contacts.ContactOfficial):
                signal.connect(serving.forget_pages, sender=model, dispatch_uid=f"pages-{model}")
        page_published.connect(serving.forget_pages, dispatch_uid="portal-published")
        page_unpublished.connect(serving.forget_pages, dispatch_uid="portal-unpublished")

        @periodic("portal.publish_scheduled", every_seconds=60)
        def publish_scheduled() -> None:
            """Wagtail's scheduled publishing and unpublishing (go-live and expiry times)."""
            from django.core.management import call_command

            call_command("publish_scheduled", verbosity=0)


def _forget_hotlines(**kwargs) -> None:
    from phongdich.portal import contacts

    contacts.forget()
