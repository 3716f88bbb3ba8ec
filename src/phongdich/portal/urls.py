from django.urls import path

from phongdich.portal import campaign_views, staff_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("ma-diem", views.go_to_venue, name="go_to_venue"),
    path("ngon-ngu/<str:code>", views.language, name="language"),
    path("tim-kiem", views.search, name="search"),
    path("cong-khai-tthc", views.tthc_public, name="tthc"),
    path("phan-anh", views.report_form, name="report"),
    path("phan-anh/<str:token>", views.report_status, name="report_status"),
    path("staff/portal/reports/", staff_views.report_queue, name="staff_reports"),
    path("staff/portal/reports/<int:report_id>", staff_views.report_detail, name="staff_report"),
    path(
        "staff/portal/reports/<int:report_id>/photo",
        staff_views.report_photo,
        name="staff_report_photo",
    ),
    path("staff/portal/tthc/", staff_views.tthc_import, name="staff_tthc"),
    path(
        "staff/portal/articles/<int:page_id>/sms",
        campaign_views.article_to_campaign,
        name="article_sms",
    ),
    # Taken over by the apps' real pages, which are included before the portal.
    path("ket-qua", views.home, name="results"),
    path("xac-thuc", views.home, name="verify"),
    path("huong-dan", views.checkin_help, name="checkin_help"),
]
