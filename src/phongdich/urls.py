from django.contrib import admin
from django.urls import include, path, re_path
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from phongdich.api import URL_PREFIX, api, unknown_route

urlpatterns = [
    # The API first: check-ins arrive there hundreds of times a second, and Django tries the
    # patterns in order.
    path(URL_PREFIX, api.urls),
    re_path(r"^api/", unknown_route),
    # Apps' public pages before the portal's: they replace the portal's "coming soon" placeholders.
    path("", include("phongdich.testing.public_urls")),
    path("", include("phongdich.vaccination.public_urls")),
    path("", include("phongdich.care.public_urls")),
    path("", include("phongdich.risk.urls")),
    path("", include("phongdich.core.urls")),
    path("", include("phongdich.portal.urls")),
    path("", include("phongdich.checkpoints.urls")),
    path("", include("phongdich.people.urls")),
    path("staff/tracing/", include("phongdich.tracing.urls")),
    path("staff/testing/", include("phongdich.testing.urls")),
    path("staff/vaccination/", include("phongdich.vaccination.urls")),
    path("staff/care/", include("phongdich.care.urls")),
    path("staff/campaigns/", include("phongdich.campaigns.urls")),
    path("staff/outreach/", include("phongdich.outreach.urls")),
    path("staff/", include("phongdich.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Last: any other path is a page of the ward portal (Wagtail).
    path("", include("phongdich.portal.page_urls")),
]
