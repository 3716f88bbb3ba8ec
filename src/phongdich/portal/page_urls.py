"""Every other path is a Wagtail page (through the portal's caching, counting wrapper). Included
last by the project's URL map."""

from django.urls import re_path

from phongdich.portal import serving

urlpatterns = [re_path(r"^((?:[\w\-]+/)*)$", serving.page, name="wagtail_serve")]
