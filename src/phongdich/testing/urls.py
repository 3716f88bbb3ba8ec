from django.urls import path

from phongdich.testing import lab_views, views

app_name = "testing"
urlpatterns = [
    path("", views.session_list, name="sessions"),
    path("new", views.session_create, name="session_create"),
    path("<int:session_id>/", views.session_detail, name="session"),
    path("<int:session_id>/register", views.register, name="register"),
    path("<int:session_id>/pool", views.pool_samples, name="pool_samples"),
    path("<int:session_id>/pools/new", views.pool_create, name="pool_create"),
    path("<int:session_id>/close", views.session_close, name="session_close"),
    path("<int:session_id>/release", views.release, name="release"),
    path("<int:session_id>/labels/<str:kind>.pdf", views.label_sheet, name="labels"),
    path("pools/<str:code>/add", views.pool_add, name="pool_add"),
    path("pools/<str:code>/close", views.pool_close, name="pool_close"),
    path("lab/", lab_views.lab, name="lab"),
    path("lab/receive", lab_views.receive, name="receive"),
    path("lab/result", lab_views.enter_result, name="enter_result"),
    path("lab/import", lab_views.import_results, name="import"),
    path("positives/", lab_views.positives, name="positives"),
    path("samples/<str:code>/certificate.pdf", lab_views.certificate, name="certificate"),
]
