"""The public epidemic map: published levels only, small counts suppressed, no personal data."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from phongdich.places.models import Province
from phongdich.risk.levels import LEVELS
from phongdich.risk.queries import public_country, public_province
from phongdich.risk.rules import current_rule_sets


def legend() -> list[dict[str, object]]:
    from django.utils import translation

    vietnamese = translation.get_language() != "en"
    return [
        {"level": level, "colour": colour, "label": vi if vietnamese else en}
        for level, (colour, vi, en) in LEVELS.items()
    ]


def rule_set_titles() -> dict[str, dict[str, object]]:
    from django.utils import translation

    vietnamese = translation.get_language() != "en"
    return {
        f"{r.id} v{r.version}": {
            "decision": r.decision,
            "title": r.title_vi if vietnamese else r.title_en,
            "unconfirmed": not r.matrix_confirmed,
        }
        for r in current_rule_sets().all
    }


@require_GET
def public_map(request):
    province = request.GET.get("province", "")
    return render(
        request,
        "risk/public_map.html",
        {
            "legend": legend(),
            "rule_sets": rule_set_titles(),
            "start_province": province if province.isdigit() else "",
            "tile_url": settings.MAP_TILE_URL,
        },
    )


@require_GET
@cache_control(public=True, max_age=60)
def country_data(request):
    return JsonResponse({"provinces": public_country()})


@require_GET
@cache_control(public=True, max_age=60)
def province_data(request, code: int):
    province = Province.objects.filter(code=code).first()
    if province is None:
        raise Http404
    return JsonResponse(public_province(province))
