from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from phongdich.portal.health import database_ok


def home(request):
    return render(request, "portal/home.html")


def coming_soon(request, feature: str):
    return render(request, "portal/coming_soon.html", {"feature": feature})


@never_cache
def healthz(request):
    ok = database_ok()
    return JsonResponse(
        {"status": "ok" if ok else "error", "database": "ok" if ok else "error"},
        status=200 if ok else 503,
    )
