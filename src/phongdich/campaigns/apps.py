from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "phongdich.campaigns"
    verbose_name = _("Information campaigns")

    def ready(self) -> None:
        from phongdich.campaigns import channels, dashboard, rules, tasks  # noqa: F401
        from phongdich.campaigns.reports import record_report
        from phongdich.core.sms import on_delivery_report

        on_delivery_report("campaigns")(record_report)

        from phongdich.campaigns.call_channel import register_call_channel

        register_call_channel()
