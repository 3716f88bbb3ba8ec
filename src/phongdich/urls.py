from django.contrib import admin
from django.urls import include, path

from phongdich.api import api

urlpatterns = [
    # Apps' public pages first: they replace the portal's "coming soon" placeholders.
    path("", include("phongdich.testing.public_urls")),
    path("", include("phongdich.vaccination.public_urls")),
    path("", include("phongdich.portal.urls")),
    path("", include("phongdich.checkpoints.urls")),
    path("staff/tracing/", include("phongdich.tracing.urls")),
    path("staff/testing/", include("phongdich.testing.urls")),
    path("staff/vaccination/", include("phongdich.vaccination.urls")),
    path("staff/", include("phongdich.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
