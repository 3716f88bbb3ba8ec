"""Demo information campaigns (through the settings' gateway: the console in the demo, which
logs each message with the number masked): one already sent to the F1 in quarantine of Hạc
Thành, one scheduled for tomorrow morning to people over 50 not yet vaccinated."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from phongdich.accounts.models import User
from phongdich.campaigns import actions, sending
from phongdich.campaigns.models import Campaign
from phongdich.lib.timeutil import VN_TZ, to_local
from phongdich.portal.demo import geography as geo

SENT = "Phường Hạc Thành: F1 đang cách ly vui lòng tự đo nhiệt độ sáng và chiều, gọi 1900 9095 khi sốt, ho, khó thở."
SCHEDULED = "Phường Hạc Thành: mời người trên 50 tuổi chưa tiêm vắc xin đến trạm y tế phường 7:30–11:00 thứ Bảy."


def load_campaigns_demo(now: datetime) -> list[Campaign]:
    """Idempotent: nothing is added when the demo already has campaigns."""
    if Campaign.objects.exists():
        return list(Campaign.objects.order_by("pk"))
    officer = User.objects.get(username="demo_phuong")
    area = f"w{geo.HAC_THANH}"
    sent = actions.do_create_campaign(
        officer,
        {"title": "Nhắc F1 tự theo dõi sức khoẻ", "text": SENT, "area": area,
         "f1_quarantine": "1"},
        now=now,
    )  # fmt: skip
    # The demo sends it at once, whatever the hour (the worker keeps quiet hours).
    sending.start_due(now)
    while True:
        token, rows = sending.claim_batch(200, now)
        if not rows:
            break
        sending.send_batch(token, rows, now)
    sending.finish_done(now)
    tomorrow = datetime.combine(to_local(now).date() + timedelta(days=1), time(8), tzinfo=VN_TZ)
    later = actions.do_create_campaign(
        officer,
        {"title": "Mời tiêm vắc xin người trên 50 tuổi", "text": SCHEDULED, "area": area,
         "age_min": "50", "not_vaccinated": "1", "scheduled_at": tomorrow.isoformat()},
        now=now,
    )  # fmt: skip
    return [sent, later]
