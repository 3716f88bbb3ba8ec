from django.urls import path

from phongdich.care import calls, roster_views, views

app_name = "care"
urlpatterns = [
    path("", views.console, name="console"),
    path("patients/", views.patients, name="patients"),
    path("enrol/<int:case_id>", views.enrol, name="enrol"),
    path("<int:enrolment_id>/", views.patient, name="patient"),
    path("<int:enrolment_id>/note", views.note, name="note"),
    path("<int:enrolment_id>/update", views.update, name="update"),
    path("<int:enrolment_id>/refer", views.refer, name="refer"),
    path("<int:enrolment_id>/discharge", views.discharge, name="discharge"),
    path("<int:enrolment_id>/send-link", views.send_link, name="send_link"),
    path("<int:enrolment_id>/<str:kind>.pdf", views.paper, name="paper"),
    path("<int:enrolment_id>/call", calls.staff_call, name="call"),
    path("calls/<int:call_id>/signal", calls.staff_signal, name="call_signal"),
    path("alerts/<int:alert_id>/ack", views.acknowledge, name="acknowledge"),
    path("on-call/", roster_views.roster_home, name="roster_home"),
    path("on-call/<int:ward_code>/", roster_views.roster_page, name="roster"),
    path("on-call/shifts/<int:shift_id>/remove", roster_views.remove_shift, name="remove_shift"),
]
