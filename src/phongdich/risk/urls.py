"""Public map, staff pages of risk levels, workplace self-assessment and compliance.

One namespace (``risk``): the portal links to ``risk:public_map``."""

from django.urls import path

from phongdich.risk import compliance, public, staffmap, views, workplace_views

app_name = "risk"
urlpatterns = [
    path("ban-do-dich", public.public_map, name="public_map"),
    path("ban-do-dich/ca-nuoc.json", public.country_data, name="country_data"),
    path("ban-do-dich/tinh/<int:code>.json", public.province_data, name="province_data"),
    path("doanh-nghiep/dang-ky", workplace_views.register, name="business_register"),
    path("doanh-nghiep/dang-nhap", workplace_views.request_code, name="business_login"),
    path("doanh-nghiep/ma", workplace_views.enter_code, name="business_code"),
    path("doanh-nghiep/danh-gia", workplace_views.assess, name="business_assess"),
    path("staff/risk/", views.levels, name="levels"),
    path("staff/risk/propose", views.propose, name="propose"),
    path("staff/risk/decide", views.decide, name="decide"),
    path("staff/risk/wards/<int:code>/", views.ward, name="ward"),
    path("staff/risk/shapes/", views.shapes, name="shapes"),
    path("staff/risk/export.<str:fmt>", views.export, name="export"),
    path("staff/risk/map/", staffmap.staff_map, name="staff_map"),
    path("staff/risk/map/data.json", staffmap.staff_map_data, name="staff_map_data"),
    path("staff/risk/inspections/", workplace_views.inspections, name="inspections"),
    path("staff/risk/inspections/<int:pk>/", workplace_views.inspection, name="inspection"),
    path(
        "staff/risk/inspections/<int:pk>/fixes/",
        workplace_views.inspection_fix_add,
        name="inspection_fix_add",
    ),
    path(
        "staff/risk/inspections/<int:pk>/fixes/<int:fix_pk>",
        workplace_views.inspection_fix,
        name="inspection_fix",
    ),
    path(
        "staff/risk/inspections/<int:pk>/photos/<int:photo_pk>",
        workplace_views.inspection_photo,
        name="inspection_photo",
    ),
    path("staff/risk/compliance/", compliance.compliance_page, name="compliance"),
    path("staff/risk/compliance.<str:fmt>", compliance.compliance_export, name="compliance_export"),
]
