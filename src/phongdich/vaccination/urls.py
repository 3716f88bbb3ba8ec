from django.urls import path

from phongdich.vaccination import lists, records, reports, views

app_name = "vaccination"
urlpatterns = [
    path("", views.session_list, name="sessions"),
    path("sessions.<str:fmt>", lists.session_export, name="session_export"),
    path("sessions/new", views.session_create, name="session_create"),
    path("sessions/<int:session_id>/", views.session_detail, name="session"),
    path("sessions/<int:session_id>/status", views.session_status, name="session_status"),
    path("sessions/<int:session_id>/invite", views.session_invite, name="session_invite"),
    path(
        "sessions/<int:session_id>/invitations/<int:invitation_id>",
        views.invitation_answer,
        name="invitation_answer",
    ),
    path("sessions/<int:session_id>/dose", views.session_dose, name="session_dose"),
    path("registrations/", views.registration_list, name="registrations"),
    path("registrations.<str:fmt>", lists.registration_export, name="registration_export"),
    path("registrations/new", views.registration_create, name="registration_create"),
    path(
        "registrations/<int:registration_id>/cancel",
        views.registration_cancel,
        name="registration_cancel",
    ),
    path("people/", views.people_search, name="people"),
    path("people/<int:person_id>/", records.person_record, name="person"),
    path("people/<int:person_id>/dose", records.person_dose, name="person_dose"),
    path(
        "people/<int:person_id>/certificate", records.person_certificate, name="person_certificate"
    ),
    path("doses/<int:dose_id>/observation", records.dose_observation, name="dose_observation"),
    path("doses/<int:dose_id>/void", records.dose_void, name="dose_void"),
    path("doses/<int:dose_id>/adverse-event", records.adverse_event_new, name="adverse_event_new"),
    path("adverse-events/", reports.adverse_event_list, name="adverse_events"),
    path("adverse-events.<str:fmt>", reports.adverse_event_export, name="adverse_event_export"),
    path(
        "adverse-events/<int:event_id>/outcome",
        records.adverse_event_outcome,
        name="adverse_event_outcome",
    ),
    path("coverage/", reports.coverage_page, name="coverage"),
    path("coverage.<str:fmt>", reports.coverage_export, name="coverage_export"),
    path("population/", reports.population_page, name="population"),
]
