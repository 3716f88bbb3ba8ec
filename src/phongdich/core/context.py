from django.conf import settings


def site(request):
    return {"hotlines": settings.HOTLINES, "base_url": settings.BASE_URL}
