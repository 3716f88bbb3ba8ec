"""The portal's models live in topic modules; Django finds them here."""

from phongdich.portal.contacts import ContactOfficial, Hotline
from phongdich.portal.counters import PageViewDay
from phongdich.portal.documents import PortalDocument
from phongdich.portal.pages import (
    ArticleAttachment,
    ArticlePage,
    Category,
    PortalHomePage,
    StandardPage,
    WardHomePage,
)
from phongdich.portal.reports import CitizenReport
from phongdich.portal.tthc import TthcPeriod

__all__ = [
    "ArticleAttachment",
    "ArticlePage",
    "Category",
    "CitizenReport",
    "ContactOfficial",
    "Hotline",
    "PageViewDay",
    "PortalDocument",
    "PortalHomePage",
    "StandardPage",
    "TthcPeriod",
    "WardHomePage",
]
