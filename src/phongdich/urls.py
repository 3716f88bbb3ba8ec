from django.conf.urls.i18n import i18n_patterns  # noqa: F401  (kept for apps that need prefixes)
from django.contrib import admin
from django.urls import include, path

from phongdich.api import api

urlpatterns = [
    path("", include("phongdich.portal.urls")),
    path("staff/", include("phongdich.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
