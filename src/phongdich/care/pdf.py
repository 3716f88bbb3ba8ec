"""The papers of home care, A4 in Vietnamese with English labels (a transfer note travels with
the patient to a hospital; a discharge paper is the patient's proof that isolation ended).
DejaVu Sans carries the Vietnamese glyphs (lib.poster)."""

from __future__ import annotations

import io
import unicodedata

from django.utils import timezone
from reportlab.lib.colors import HexColor, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from phongdich.care.models import Enrolment
from phongdich.care.packs import medicine_packs
from phongdich.lib.poster import FONT_BOLD, FONT_REGULAR, register_fonts
from phongdich.lib.timeutil import format_vn, format_vn_date, local_date

GREEN = HexColor("#0B6E4F")
GREY = HexColor("#5B6470")
WIDTH, HEIGHT = float(A4[0]), float(A4[1])
MARGIN = 18 * mm


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


class _Page:
    def __init__(self, title_vi: str, title_en: str, enrolment: Enrolment) -> None:
        register_fonts()
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=A4, pageCompression=1)
        self.canvas.setTitle(_nfc(f"{title_vi} / {title_en}"))
        self.canvas.setCreator("PhòngDịch")
        c = self.canvas
        c.setFont(FONT_BOLD, 10)
        c.drawString(MARGIN, HEIGHT - 15 * mm, _nfc(f"TRẠM Y TẾ {enrolment.ward.name.upper()}"))
        c.setFont(FONT_REGULAR, 9)
        c.drawRightString(WIDTH - MARGIN, HEIGHT - 15 * mm, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
        c.drawRightString(WIDTH - MARGIN, HEIGHT - 19 * mm, "Độc lập - Tự do - Hạnh phúc")
        c.setFillColor(GREEN)
        c.setFont(FONT_BOLD, 17)
        c.drawCentredString(WIDTH / 2, HEIGHT - 34 * mm, _nfc(title_vi))
        c.setFont(FONT_REGULAR, 11)
        c.drawCentredString(WIDTH / 2, HEIGHT - 40 * mm, title_en)
        self.y = HEIGHT - 50 * mm

    def field(self, vi: str, en: str, value: str) -> None:
        c = self.canvas
        c.setFillColor(GREY)
        c.setFont(FONT_REGULAR, 8.5)
        c.drawString(MARGIN, self.y, _nfc(f"{vi} / {en}"))
        self.y -= 5 * mm
        c.setFillColor(black)
        c.setFont(FONT_BOLD, 11.5)
        for line in simpleSplit(_nfc(value or "—"), FONT_BOLD, 11.5, WIDTH - 2 * MARGIN)[:6]:
            c.drawString(MARGIN, self.y, line)
            self.y -= 5.2 * mm
        self.y -= 2 * mm

    def finish(self, signer_vi: str) -> bytes:
        c = self.canvas
        c.setFont(FONT_REGULAR, 10)
        c.drawRightString(
            WIDTH - MARGIN,
            max(self.y - 6 * mm, 40 * mm),
            _nfc(f"Ngày {format_vn_date(local_date(timezone.now()))}"),
        )
        c.setFont(FONT_BOLD, 10)
        c.drawRightString(WIDTH - MARGIN, max(self.y - 12 * mm, 34 * mm), _nfc(signer_vi))
        c.setFillColor(GREY)
        c.setFont(FONT_REGULAR, 8)
        c.drawString(MARGIN, 10 * mm, _nfc("In từ PhòngDịch / Printed from PhòngDịch"))
        c.showPage()
        c.save()
        return self.buffer.getvalue()


def _patient(page: _Page, enrolment: Enrolment) -> None:
    person = enrolment.person
    page.field("Họ và tên", "Name", f"{person.full_name} ({person.birth_year})")
    page.field("Địa chỉ", "Address", f"{person.address}, {enrolment.ward.name}".strip(", "))
    page.field("Điện thoại", "Phone", person.phone)
    page.field("Ngày bắt đầu cách ly", "Isolation start", format_vn_date(enrolment.isolation_start))


def transfer_note(enrolment: Enrolment) -> bytes:
    """Giấy chuyển viện: who, why, the last vital signs, warnings, medicine pack, notes."""
    page = _Page("GIẤY CHUYỂN VIỆN", "Transfer note", enrolment)
    _patient(page, enrolment)
    page.field("Nơi chuyển đến", "Referred to", enrolment.referral_facility)
    page.field("Lý do chuyển", "Reason", enrolment.referral_reason)
    reasons = enrolment.assessment.get("reasons") or []
    if reasons:
        page.field(
            "Không đủ điều kiện chăm sóc tại nhà",
            "Not eligible for home care",
            "; ".join(r["message_vi"] for r in reasons),
        )
    last = enrolment.reports.order_by("-measured_at").first()
    if last is not None:
        vitals = (
            f"{format_vn(last.measured_at)}: SpO2 {_v(last.spo2_repeat or last.spo2)} %, "
            f"nhịp thở {_v(last.respiratory_rate)}/phút, mạch {_v(last.pulse)}/phút, "
            f"nhiệt độ {_v(last.temperature_c)} °C, HA {_v(last.systolic)}/{_v(last.diastolic)}"
        )
        page.field("Chỉ số gần nhất", "Latest vital signs", vitals)
    signs = [
        s["message_vi"]
        for alert in enrolment.alerts.select_related("report").order_by("-raised_at")[:5]
        for s in alert.report.signs
    ]
    page.field("Dấu hiệu cảnh báo", "Warning signs", "; ".join(signs) or "Không")
    pack = medicine_packs().get(enrolment.medicine_pack)
    page.field("Gói thuốc đã cấp", "Medicine pack given", pack["title_vi"] if pack else "Không")
    notes = [n.text for n in enrolment.notes.order_by("-created_at")[:3]]
    page.field("Ghi chú của bác sĩ", "Clinician's notes", " | ".join(notes))
    clinician = enrolment.clinician
    signer = clinician.get_full_name() or clinician.username if clinician else "Trạm y tế"
    return page.finish(f"Bác sĩ: {signer}")


def _v(value) -> str:
    return "—" if value is None else f"{value:g}"


def discharge_paper(enrolment: Enrolment) -> bytes:
    """Giấy xác nhận hoàn thành cách ly tại nhà."""
    page = _Page("GIẤY XÁC NHẬN HOÀN THÀNH CÁCH LY", "Home isolation completed", enrolment)
    _patient(page, enrolment)
    page.field(
        "Ngày kết thúc cách ly",
        "Isolation ended",
        format_vn_date(local_date(enrolment.discharged_at)) if enrolment.discharged_at else "",
    )
    page.field(
        "Số ngày cách ly", "Days in isolation", str(enrolment.discharge.get("day_number", ""))
    )
    page.field(
        "Căn cứ", "Rule applied", f"{enrolment.rule_set_id} ({enrolment.discharge.get('rule_set')})"
    )
    page.field(
        "Dặn dò",
        "Advice",
        "Tiếp tục tự theo dõi sức khỏe, đeo khẩu trang và báo ngay cho trạm y tế nếu có triệu "
        "chứng trở lại. / Keep watching your health and call the health station if symptoms "
        "return.",
    )
    return page.finish("Trưởng trạm y tế")
