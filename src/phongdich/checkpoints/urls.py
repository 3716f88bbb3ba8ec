from django.urls import path

from phongdich.checkpoints import console, posters, views

app_name = "checkpoints"
urlpatterns = [
    path("c/", views.enter_code, name="enter_code"),
    path("c", views.enter_code),
    path("c/<str:code>", views.checkin, name="checkin"),
    path("c/<str:code>/ok/<uuid:client_id>", views.checkin_done, name="checkin_done"),
    path("c/<str:code>/out", views.checkout, name="checkout"),
    path("ma-ca-nhan", views.personal_qr, name="personal_qr"),
    path("ma-ca-nhan.<str:fmt>", views.personal_qr_image, name="personal_qr_image"),
    path("checkpoints/register", views.register, name="register"),
    path("checkpoints/manage/<str:token>", views.manage, name="manage"),
    path(
        "checkpoints/manage/<str:token>/poster.<str:fmt>",
        posters.registrant_poster,
        name="registrant_poster",
    ),
    path("staff/checkpoints/", console.venue_list, name="venues"),
    path("staff/checkpoints/new", console.venue_create, name="venue_create"),
    path("staff/checkpoints/<str:code>/", console.console, name="console"),
    path("staff/checkpoints/<str:code>/inside", console.inside_fragment, name="inside"),
    path("staff/checkpoints/<str:code>/status", console.set_status, name="set_status"),
    path("staff/checkpoints/<str:code>/rotate", console.rotate, name="rotate"),
    path(
        "staff/checkpoints/<str:code>/checkout/<int:visit_id>",
        console.staff_checkout,
        name="staff_checkout",
    ),
    path("staff/checkpoints/<str:code>/paper", console.paper_form, name="paper"),
    path("staff/checkpoints/<str:code>/scan", console.scanner, name="scanner"),
    path("staff/checkpoints/<str:code>/export.<str:fmt>", console.export, name="export"),
    path("staff/checkpoints/<str:code>/poster.<str:fmt>", posters.staff_poster, name="poster"),
]
