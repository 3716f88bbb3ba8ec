from django.urls import path

from phongdich.tracing import views

app_name = "tracing"
urlpatterns = [
    path("", views.case_list, name="cases"),
    path("new", views.case_create, name="case_create"),
    path("<int:case_id>/", views.case_detail, name="case"),
    path("<int:case_id>/retrace", views.case_retrace, name="retrace"),
    path("<int:case_id>/contacts/add", views.contact_add, name="contact_add"),
    path("<int:case_id>/contacts/import", views.contact_import, name="contact_import"),
    path("<int:case_id>/contacts.<str:fmt>", views.case_export, name="case_export"),
    path("contacts/<int:contact_id>/status", views.contact_status, name="contact_status"),
    path(
        "windows/<int:window_id>/materialise",
        views.window_materialise,
        name="window_materialise",
    ),
    path("worklist/", views.worklist, name="worklist"),
    path("worklist.<str:fmt>", views.worklist_export, name="worklist_export"),
    path("clusters/", views.clusters, name="clusters"),
    path("chains/", views.chains, name="chains"),
]
