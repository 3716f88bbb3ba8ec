"""The portal's Wagtail pages: the site home at ``/``, one section per ward, news articles with
attached documents, plain pages. One installation runs the province's portal and a section for
every ward (``WardHomePage``), each with its own editors, leaders and approval workflow
(``portal.sections``). The seed page is such an article (docs/reference/portal.md)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from phongdich.portal.documents import PortalDocument

# What editors may put in rich text: no embeds, no raw HTML, nothing that loads third parties.
RICH_TEXT = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link", "image", "hr"]
NEWS_PER_PAGE = 10


@register_snippet
class Category(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)

    panels = [FieldPanel("name"), FieldPanel("slug")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("news category")
        verbose_name_plural = _("news categories")

    def __str__(self) -> str:
        return self.name


class PortalHomePage(Page):
    """The home page of a site: the province portal (``/``) or a ward's own domain."""

    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["portal.WardHomePage", "portal.ArticlePage", "portal.StandardPage"]
    parent_page_types = ["wagtailcore.Page"]
    template = "portal/home_page.html"

    class Meta:
        verbose_name = _("portal home page")

    def get_context(self, request, *args, **kwargs):
        from phongdich.portal.blocks import home_context

        context = super().get_context(request, *args, **kwargs)
        context.update(home_context(self, request, ward=None))
        return context


class WardHomePage(Page):
    """A ward's section: its news, contacts, procedure results and figures."""

    ward = models.OneToOneField(
        "places.Ward", verbose_name=_("ward"), on_delete=models.PROTECT, related_name="+"
    )
    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT)

    content_panels = [*Page.content_panels, FieldPanel("ward"), FieldPanel("intro")]
    subpage_types = ["portal.ArticlePage", "portal.StandardPage"]
    parent_page_types = ["portal.PortalHomePage"]
    template = "portal/ward_home_page.html"

    class Meta:
        verbose_name = _("ward section")

    def get_context(self, request, *args, **kwargs):
        from phongdich.portal.blocks import home_context

        context = super().get_context(request, *args, **kwargs)
        context.update(home_context(self, request, ward=self.ward))
        return context


class ArticlePage(Page):
    date = models.DateField(_("date"), default=timezone.localdate)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    summary = models.TextField(_("summary"), blank=True, max_length=500)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    image_caption = models.CharField(_("image caption"), max_length=200, blank=True)
    body = RichTextField(_("body"), features=RICH_TEXT)
    source = models.CharField(_("source"), max_length=200, blank=True)
    # A campaign: the newest live article with this set (and not past the date) is the home
    # page's banner.
    banner = models.BooleanField(_("pin to the home page banner"), default=False)
    banner_until = models.DateField(_("banner until"), null=True, blank=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("date"), FieldPanel("category"), FieldPanel("source")], _("News")
        ),
        FieldPanel("summary"),
        MultiFieldPanel([FieldPanel("image"), FieldPanel("image_caption")], _("Image")),
        FieldPanel("body"),
        InlinePanel("attachments", label=_("Attached documents (PDF, DOCX)")),
        MultiFieldPanel([FieldPanel("banner"), FieldPanel("banner_until")], _("Campaign")),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("attachment_text"),
        index.FilterField("date"),
    ]
    subpage_types: list[str] = []
    parent_page_types = ["portal.WardHomePage", "portal.PortalHomePage"]
    template = "portal/article_page.html"

    class Meta:
        verbose_name = _("news article")
        verbose_name_plural = _("news articles")

    def attachment_text(self) -> str:
        return "\n".join(a.document.text for a in self.attachments.all() if a.document_id)

    def get_context(self, request, *args, **kwargs):
        from phongdich.portal.blocks import article_context

        context = super().get_context(request, *args, **kwargs)
        context.update(article_context(self, request))
        return context


class ArticleAttachment(Orderable):
    article = ParentalKey(ArticlePage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        PortalDocument, verbose_name=_("document"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("document")]


class StandardPage(Page):
    body = RichTextField(_("body"), features=RICH_TEXT)

    content_panels = [*Page.content_panels, FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]
    subpage_types: list[str] = []
    template = "portal/standard_page.html"

    class Meta:
        verbose_name = _("page")

    def get_context(self, request, *args, **kwargs):
        from phongdich.portal.blocks import section_context

        context = super().get_context(request, *args, **kwargs)
        context.update(section_context(self, request))
        return context
