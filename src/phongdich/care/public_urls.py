from django.urls import path

from phongdich.care import calls, public

app_name = "care_public"
urlpatterns = [
    path("tu-theo-doi/<str:token>", public.report, name="report"),
    path("tu-theo-doi/<str:token>/goi", calls.patient_call, name="call"),
    path(
        "tu-theo-doi/<str:token>/goi/<int:call_id>/signal", calls.patient_signal, name="call_signal"
    ),
]
