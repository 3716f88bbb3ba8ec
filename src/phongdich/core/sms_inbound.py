"""What Kannel sends back to us: delivery reports and replies (docs/reference/sms.md).

* ``GET /sms/dlr?id=…&sig=…&status=%d&…`` — one delivery report. The URL was built for that
  message alone (``lib.sms.kannel.build_dlr_url``) and is signed, so a forged or altered report
  is refused (403) and a valid one is matched by our message id only. No phone number is in the
  URL (Kannel's ``%p`` is never asked for), so the access log holds none.
* ``POST /sms/mo?token=…`` — one reply, from Kannel's ``sms-service`` group with ``post-url``:
  the text is the body and the number is the ``X-Kannel-From`` header (a header, not the URL,
  so it reaches no log). "TC"/"STOP" put the number on the opt-out list, "DK"/"START" take it
  off; other replies go to the apps registered with ``core.sms.on_incoming``. The answer body
  is the confirmation Kannel sends back to the person.
"""

from __future__ import annotations

import hmac
import logging

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from phongdich.core import sms
from phongdich.lib.phones import InvalidPhone, parse_phone
from phongdich.lib.sms import InvalidDeliveryReport, parse_delivery_report

log = logging.getLogger(__name__)

# One plain SMS each (at most 160 characters), Vietnamese first.
OPTED_OUT_REPLY = (
    "Ban da tu choi nhan tin tu {sender}. Soan DK de nhan lai. / Opted out; reply DK to undo."
)
OPTED_IN_REPLY = "Ban se nhan lai tin tu {sender}. / You will get messages again."


def _text(status: int, vi: str, en: str) -> HttpResponse:
    return HttpResponse(f"{vi} / {en}", status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt
@require_GET
def delivery_report(request):
    try:
        report = parse_delivery_report(request.GET, sms.dlr_secret())
    except InvalidDeliveryReport as exc:
        status = 403 if exc.code == "delivery_report_forged" else 400
        return _text(status, exc.message_vi, exc.message_en)
    except (ValueError, OverflowError, OSError):  # a timestamp out of range
        return _text(400, "Báo cáo gửi tin không hợp lệ.", "Invalid delivery report.")
    if not sms.dispatch_report(report):
        # Signed by us but no longer known (a purged campaign): accept it, or Kannel retries.
        log.info("delivery report for unknown message %s", report.message_id)
    return HttpResponse("ok", content_type="text/plain")


@csrf_exempt
@require_POST
def incoming(request):
    if not hmac.compare_digest(request.GET.get("token", ""), sms.incoming_token()):
        return _text(403, "Không được phép.", "Not allowed.")
    try:
        phone = parse_phone(request.headers.get("X-Kannel-From", "")).e164
    except InvalidPhone:
        return _text(400, "Số gửi không hợp lệ.", "The sender's number is not valid.")
    text = request.body[:1000].decode("utf-8", "replace")
    word = sms.keyword(text)
    sender = sms.gateway().sender
    if word in sms.OPT_OUT_KEYWORDS:
        sms.do_opt_out(phone)
        reply = OPTED_OUT_REPLY.format(sender=sender)
    elif word in sms.OPT_IN_KEYWORDS:
        sms.do_opt_in(phone)
        reply = OPTED_IN_REPLY.format(sender=sender)
    else:
        reply = sms.dispatch_incoming(phone, text) or ""
    return HttpResponse(reply, content_type="text/plain; charset=utf-8")
