"""What the portal's pages show beside their content: news lists, "other news", the visitor
counter, hotlines and contacts, procedure results, live figures, the campaign banner."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from phongdich.portal import contacts, counters, figures, tthc
from phongdich.portal.pages import NEWS_PER_PAGE, ArticlePage, Category

PUBLIC_LINKS = (
    # (URL name, label) — the platform's public pages every portal page links to.
    ("vaccination_public:register", _("Register for vaccination")),
    ("checkpoints:personal_qr", _("My personal QR code")),
    ("checkpoints:register", _("Register a checkpoint")),
    ("testing_results", _("Look up a test result")),
    ("vaccination_public:verify", _("Verify a certificate")),
)


def _articles(root):
    return (
        ArticlePage.objects.live()
        .public()
        .descendant_of(root)
        .select_related("category")
        .order_by("-date", "-first_published_at")
    )


def banner(root):
    today = timezone.localdate()
    return (
        _articles(root)
        .filter(banner=True)
        .filter(Q(banner_until=None) | Q(banner_until__gte=today))
        .first()
    )


def risk_map_url() -> str | None:
    """The public risk map, once the risk module provides it."""
    try:
        return reverse("risk:public_map")
    except NoReverseMatch:
        return None


def sidebar(section_page, ward) -> dict:
    ward_id = getattr(ward, "code", None)
    hotlines, officials = contacts.for_ward(ward_id)
    province = getattr(ward, "province_id", None) or _site_province()
    return {
        "section": section_page,
        "ward": ward,
        "visits": counters.visits(section_page.path if ward is not None else None),
        "hotline_list": hotlines,
        "officials": officials,
        "tthc_latest": (tthc.periods(ward_id, limit=1) or [None])[0],
        "figures": figures.live_figures(ward_id, None if ward_id else province),
        "risk_map_url": risk_map_url(),
        "public_links": [(reverse(name), label) for name, label in PUBLIC_LINKS],
    }


def _site_province() -> int | None:
    from phongdich.portal.pages import WardHomePage

    first = WardHomePage.objects.select_related("ward").first()
    return first.ward.province_id if first else None


def home_context(page, request, ward) -> dict:
    articles = _articles(page)
    category = None
    slug = request.GET.get("danh-muc", "")
    if slug:
        category = Category.objects.filter(slug=slug).first()
        if category:
            articles = articles.filter(category=category)
    news = Paginator(articles, NEWS_PER_PAGE).get_page(request.GET.get("trang"))
    from phongdich.portal.pages import WardHomePage

    return {
        **sidebar(page, ward),
        "news": news,
        "category": category,
        "categories": Category.objects.all(),
        "banner": banner(page),
        "ward_sections": WardHomePage.objects.live().child_of(page).order_by("title")
        if ward is None
        else [],
    }


def section_context(page, request) -> dict:
    from phongdich.portal.sections import section_of

    section = section_of(page)
    return sidebar(section.page, section.ward)


def article_context(page, request) -> dict:
    from phongdich.portal.sections import section_of

    section = section_of(page)
    other = _articles(section.page).exclude(pk=page.pk)[:6]
    return {
        **sidebar(section.page, section.ward),
        "other_news": other,
        "attachments": [a.document for a in page.attachments.select_related("document")],
        "page_views": counters.page_total(page.pk),
    }
