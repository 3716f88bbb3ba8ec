from django.urls import path

from phongdich.outreach import views

app_name = "outreach"
urlpatterns = [
    path("", views.follow_ups, name="follow_ups"),
    path("follow-ups/<int:follow_up_id>/done", views.follow_up_done, name="follow_up_done"),
    path("people/<int:person_id>/calls", views.person_calls, name="person"),
    path("console/", views.console, name="console"),
    path("plans/<int:plan_id>/", views.manual_call, name="manual_call"),
    path("plans/<int:plan_id>/again", views.call_again, name="call_again"),
    path("case-calls", views.call_case_contacts, name="case_calls"),
]
