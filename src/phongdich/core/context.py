from django.conf import settings
from django.utils.functional import SimpleLazyObject

from phongdich.core import site as site_facts


def site(request):
    return {"hotlines": SimpleLazyObject(site_facts.hotlines), "base_url": settings.BASE_URL}
