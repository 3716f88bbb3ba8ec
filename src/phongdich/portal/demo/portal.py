"""The demo's ward portal: Phường Hạc Thành's section (Ngọc Trạo ward is part of it since July
2025) with the seed page as its first article — the news of Official Letter 13341/UBND-CNTT with
the letter attached — a few more articles and a pinned campaign, hotlines and contact officials,
procedure results imported from a spreadsheet, visitor counts for the past weeks, and the
editor/leader roles for the demo accounts. Idempotent: a second run adds nothing."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from importlib import resources

from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from phongdich.accounts.models import User
from phongdich.lib.timeutil import VN_TZ
from phongdich.places.models import Ward
from phongdich.portal import sections, tthc
from phongdich.portal.contacts import ContactOfficial, Hotline
from phongdich.portal.counters import PageViewDay
from phongdich.portal.demo import geography as geo
from phongdich.portal.demo.names import full_name
from phongdich.portal.demo.seeded import stream
from phongdich.portal.demo.textpdf import text_pdf
from phongdich.portal.documents import PortalDocument
from phongdich.portal.pages import ArticleAttachment, ArticlePage, Category

SEED_TITLE = "Đẩy mạnh ứng dụng công nghệ thông tin trong phòng, chống dịch COVID-19"
SEED_PUBLISHED = datetime(2021, 9, 1, 17, 2, 37, tzinfo=VN_TZ)
SEED_DOCUMENT = "Đẩy mạnh ƯDCNTT - Covid19"
EDITOR, LEADER = "demo_bientap", "demo_phuong"
CATEGORIES = (
    ("Phòng, chống dịch", "phong-chong-dich"),
    ("Văn bản chỉ đạo", "van-ban-chi-dao"),
    ("Thông báo", "thong-bao"),
)


def seed_paragraphs() -> list[str]:
    text = resources.files("phongdich.portal.demo").joinpath("data/seed_article.txt")
    lines = text.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def _html(paragraphs: list[str]) -> str:
    from django.utils.html import escape

    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs)


def _document(title: str, filename: str, data: bytes, collection) -> PortalDocument:
    document = PortalDocument(
        title=title, file=ContentFile(data, name=filename), collection=collection
    )
    document.clean()
    document.save()
    return document


def slug_of(title: str) -> str:
    from django.utils.text import slugify

    return slugify(title.replace("đ", "d").replace("Đ", "D"))[:80].strip("-")


def _publish(parent, page: ArticlePage, user, published: datetime) -> ArticlePage:
    page.slug = page.slug or slug_of(page.title)
    parent.add_child(instance=page)
    page.save_revision(user=user).publish(user=user)
    ArticlePage.objects.filter(pk=page.pk).update(
        first_published_at=published, last_published_at=published
    )
    return page


def _collection_of(section):
    from wagtail.models import Collection

    return (
        Collection.objects.filter(name=section.title[:200]).first()
        or Collection.get_first_root_node()
    )


def _seed_article(section, categories, user) -> ArticlePage:
    paragraphs = seed_paragraphs()
    lead, rest = paragraphs[0], paragraphs[1:]
    letter = text_pdf(
        "Công văn số 13341/UBND-CNTT về việc đẩy mạnh ứng dụng công nghệ thông tin "
        "trong phòng, chống dịch COVID-19",
        rest,
        note="Bản PDF dựng lại từ nội dung bài viết để minh họa; bản gốc do UBND tỉnh Thanh Hóa ban hành.",
    )
    document = _document(
        SEED_DOCUMENT, "day-manh-udcntt-covid19.pdf", letter, _collection_of(section)
    )
    page = ArticlePage(
        title=SEED_TITLE,
        slug="day-manh-ung-dung-cntt-phong-chong-dich-covid-19",
        date=SEED_PUBLISHED.date(),
        category=categories["van-ban-chi-dao"],
        summary=lead,
        body=_html(rest)
        + f'<p>Xem nội dung Công văn tại <a id="{document.pk}" linktype="document">{SEED_DOCUMENT}.pdf</a>.</p>',
        source="Báo Thanh Hóa (baothanhhoa.vn)",
        attachments=[ArticleAttachment(document=document)],
    )
    return _publish(section, page, user, SEED_PUBLISHED)


MORE = (
    (
        "Cảnh giác với thông tin sai sự thật về dịch bệnh trên mạng xã hội",
        "phong-chong-dich",
        "Người dân chỉ tin và chia sẻ thông tin từ nguồn chính thống; phản ánh tin giả tại mục Phản ánh của cổng thông tin.",
        [
            "Thời gian qua, trên mạng xã hội xuất hiện một số thông tin sai sự thật về tình hình dịch bệnh trên địa bàn phường.",
            "UBND phường đề nghị người dân không chia sẻ thông tin chưa được kiểm chứng và phản ánh các thông tin sai trái qua mục Phản ánh trên cổng thông tin hoặc đường dây nóng.",
        ],
        True,
        2,
    ),
    (
        "Hướng dẫn quét mã QR tại các điểm kiểm dịch trên địa bàn phường",
        "thong-bao",
        "Mỗi cơ quan, đơn vị niêm yết mã QR tại lối vào; người không có điện thoại thông minh khai báo bằng tờ khai giấy.",
        [
            "Khi ra, vào trụ sở cơ quan, chợ, bệnh viện, người dân dùng camera điện thoại quét mã QR trên áp phích và khai báo y tế điện tử.",
            "Nếu không quét được, nhập mã điểm in dưới mã QR tại trang chủ cổng thông tin. Người không có điện thoại thông minh đề nghị nhân viên kiểm soát cung cấp tờ khai bản giấy.",
        ],
        False,
        5,
    ),
    (
        "Lịch tiêm vắc xin phòng COVID-19 tại Trạm Y tế phường tuần này",
        "thong-bao",
        "Người dân đăng ký tiêm trực tuyến tại mục Đăng ký tiêm và mang theo CCCD khi đến tiêm.",
        [
            "Trạm Y tế phường tổ chức tiêm vắc xin phòng COVID-19 các buổi sáng từ thứ Hai đến thứ Sáu.",
            "Người dân đăng ký trực tuyến, nhận lịch hẹn và mang theo căn cước công dân khi đến tiêm.",
        ],
        False,
        9,
    ),
)


def _more_articles(section, categories, user, today: date) -> None:
    for title, category, summary, body, banner, days_ago in MORE:
        published = datetime.combine(
            today - timedelta(days=days_ago), datetime.min.time(), tzinfo=VN_TZ
        ) + timedelta(hours=8)
        page = ArticlePage(
            title=title,
            date=published.date(),
            category=categories[category],
            summary=summary,
            body=_html(body),
            banner=banner,
        )
        _publish(section, page, user, published)


def _contacts(ward, seed: int) -> None:
    if Hotline.objects.filter(ward=ward).exists():
        return
    Hotline.objects.create(
        ward=ward,
        order=1,
        number="02373.742.289",
        label="Số điện thoại tiếp nhận của các tổ chức, cá nhân liên quan đến giải quyết thủ tục hành chính",
    )
    Hotline.objects.create(ward=ward, order=2, number="0237 3852 115", label="Trạm Y tế phường")
    rng = stream(seed, "portal-officials")
    for order, (title, phone, email) in enumerate(
        (
            ("Chủ tịch UBND phường", "0912 000 101", "chutich.hacthanh@example.vn"),
            (
                "Công chức Văn phòng – Thống kê, đầu mối cổng thông tin",
                "0912 000 102",
                "vanphong.hacthanh@example.vn",
            ),
            ("Trưởng Trạm Y tế phường", "0912 000 103", "tramyte.hacthanh@example.vn"),
        )
    ):
        ContactOfficial.objects.create(
            ward=ward,
            order=order,
            title=title,
            phone=phone,
            email=email,
            name=full_name(rng, 1975, rng.random() < 0.5),
        )


def _tthc(ward, today: date) -> None:
    if tthc.TthcPeriod.objects.filter(ward=ward).exists():
        return
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "Kỳ báo cáo",
            "Từ ngày",
            "Đến ngày",
            "Tiếp nhận",
            "Trước hạn",
            "Đúng hạn",
            "Trễ hạn",
            "Đang giải quyết",
            "Trực tuyến",
        ]
    )
    month = today.replace(day=1)
    for n in range(6, 0, -1):
        start = month
        for _ in range(n):
            start = (start - timedelta(days=1)).replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        received = 240 + 17 * n
        early, on_time, late = 60 + n, 150 + 2 * n, n % 3
        sheet.append(
            [
                f"Tháng {start.month:02d}/{start.year}",
                start.strftime("%d/%m/%Y"),
                end.strftime("%d/%m/%Y"),
                received,
                early,
                on_time,
                late,
                received - early - on_time - late - 4,
                round(received * 0.62),
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    tthc.do_import_tthc(buffer.getvalue(), ward=ward, actor=None)


def _visits(pages, seed: int, today: date) -> None:
    if PageViewDay.objects.exists():
        return
    rng = stream(seed, "portal-visits")
    rows = []
    for back in range(1, 90):
        day = today - timedelta(days=back)
        for page, base in pages:
            rows.append(
                PageViewDay(page_id=page.pk, day=day, views=base + rng.between(0, base // 2))
            )
    PageViewDay.objects.bulk_create(rows)


def ensure_portal_demo(seed: int) -> str:
    """Create the demo's portal content if missing; returns the ward section's URL path."""
    ward = Ward.objects.get(code=geo.HAC_THANH)
    section = sections.do_create_ward_section(
        ward,
        intro="<p>Trang thông tin điện tử phường Hạc Thành (gồm địa bàn phường Ngọc Trạo cũ), thành phố Thanh Hóa.</p>",
    )
    sections.do_create_ward_section(Ward.objects.get(code=geo.QUANG_PHU))
    home = sections.site_home()
    sections.ensure_section_roles(home)
    admin = User.objects.filter(username="demo_admin").first()
    for username, role, page in (
        (EDITOR, sections.EDITOR, section),
        (LEADER, sections.LEADER, section),
        ("demo_tinh", sections.LEADER, home),
    ):
        user = User.objects.filter(username=username).first()
        if user is not None and admin is not None:
            sections.do_grant_portal_role(admin, user, page, role)
    leader = User.objects.filter(username=LEADER).first()
    categories = {
        slug: Category.objects.get_or_create(slug=slug, defaults={"name": name})[0]
        for name, slug in CATEGORIES
    }
    today = timezone.localdate()
    if not ArticlePage.objects.descendant_of(section).exists():
        seed_page = _seed_article(section, categories, leader)
        _more_articles(section, categories, leader, today)
        _visits([(home, 180), (section, 220), (seed_page, 60)], seed, today)
        # Search entries are normally written by the worker (queued tasks); the demo's at once.
        call_command("update_index", verbosity=0)
    _contacts(ward, seed)
    _tthc(ward, today)
    return section.get_url()
