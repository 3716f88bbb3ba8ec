from django.urls import path

from phongdich.core import sms_inbound, views

app_name = "core"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("sms/dlr", sms_inbound.delivery_report, name="sms_dlr"),
    path("sms/mo", sms_inbound.incoming, name="sms_mo"),
]
