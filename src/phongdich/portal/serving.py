"""Serving portal pages: Wagtail renders them, this wraps it with a short response cache for
anonymous visitors and the visitor counter, which counts every view, cached or not.

A cached entry is (page id, body) per path and language; it is only kept for anonymous GETs
without a query string, for pages without view restrictions, when the response sets no cookie.
Portal templates carry no CSRF token (the language switch is a link), so one visitor's page can
be shown to the next. ``PHONGDICH_PORTAL_CACHE_SECONDS`` bounds how stale a page (and its
counter figures) can be; 0 turns the cache off."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from wagtail import hooks
from wagtail.views import serve as wagtail_serve

from phongdich.portal.counters import count_view, is_bot

_PAGE_ATTR = "_portal_page_id"


@hooks.register("before_serve_page")
def _remember_page(page, request, serve_args, serve_kwargs):
    if not getattr(request, "is_preview", False) and not page.get_view_restrictions().exists():
        setattr(request, _PAGE_ATTR, page.pk)
    elif getattr(request, "is_preview", False):
        setattr(request, _PAGE_ATTR, None)


def _cacheable(request) -> bool:
    return (
        settings.PORTAL_CACHE_SECONDS > 0
        and request.method == "GET"
        and not request.GET
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


GENERATION_KEY = "portal:generation"


def forget_pages(**kwargs) -> None:
    """Publishing, unpublishing or editing contacts starts a new generation of cached pages
    (at once where the cache is shared, PHONGDICH_REDIS_URL; else within the cache time)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def _key(request) -> str:
    return f"portal:page:{cache.get(GENERATION_KEY, 0)}:{get_language()}:{request.path}"


def _count(request, page_id: int | None) -> None:
    if page_id and request.method == "GET" and not is_bot(request):
        count_view(page_id)


def page(request, path: str = ""):
    if _cacheable(request):
        hit = cache.get(_key(request))
        if hit is not None:
            page_id, body = hit
            _count(request, page_id)
            response = HttpResponse(body, content_type="text/html; charset=utf-8")
            patch_vary_headers(response, ("Cookie", "Accept-Language"))
            return response
    response = wagtail_serve(request, path)
    page_id = getattr(request, _PAGE_ATTR, None)
    if response.status_code != 200 or page_id is None:
        return response
    _count(request, page_id)
    if hasattr(response, "render"):
        response.render()
    if _cacheable(request) and not response.cookies and not response.streaming:
        cache.set(_key(request), (page_id, response.content), settings.PORTAL_CACHE_SECONDS)
    return response
