from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from phongdich.core.health import database_ok


@never_cache
def healthz(request):
    ok = database_ok()
    return JsonResponse(
        {"status": "ok" if ok else "error", "database": "ok" if ok else "error"},
        status=200 if ok else 503,
    )
