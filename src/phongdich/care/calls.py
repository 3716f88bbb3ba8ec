"""Teleconsultation: a WebRTC video call between the clinician's browser and the patient's
phone. The two pages exchange the offer, the answer and ICE candidates through the server by
short polling (plain HTTP, fine for the sync workers); media go peer to peer, through the
STUN/TURN servers named in the settings when the peers cannot reach each other directly. The
patient's page always offers a phone call instead (and works without JavaScript as a
"waiting" page that refreshes itself)."""

from __future__ import annotations

import json
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from phongdich.accounts import audit
from phongdich.care import queries
from phongdich.care.models import Call, EnrolmentStatus, Signal
from phongdich.care.public import enrolment_by_token
from phongdich.core.ratelimit import check_rate

KINDS = {"offer", "answer", "candidate", "hangup"}
MAX_PAYLOAD = 20_000  # an SDP is a few kilobytes
OPEN_FOR = timedelta(hours=1)


def ice_servers() -> list[dict]:
    servers: list[dict] = []
    if settings.STUN_URLS:
        servers.append({"urls": list(settings.STUN_URLS)})
    if settings.TURN_URLS:
        servers.append(
            {
                "urls": list(settings.TURN_URLS),
                "username": settings.TURN_USERNAME,
                "credential": settings.TURN_CREDENTIAL,
            }
        )
    return servers


def open_call(enrolment) -> Call | None:
    return (
        Call.objects.filter(
            enrolment=enrolment,
            ended_at__isnull=True,
            started_at__gte=timezone.now() - OPEN_FOR,
        )
        .order_by("-pk")
        .first()
    )


@login_required
def staff_call(request, enrolment_id: int):
    """GET: the call page of the open call (or a button to start one); POST: start a call."""
    enrolment = queries.access_enrolment(request.user, enrolment_id)
    if request.method == "POST":
        if enrolment.status != EnrolmentStatus.ACTIVE:
            raise Http404
        Call.objects.filter(enrolment=enrolment, ended_at__isnull=True).update(
            ended_at=timezone.now()
        )
        call = Call.objects.create(
            enrolment=enrolment, started_by=request.user, started_at=timezone.now()
        )
        audit.record("care.call", request=request, obj=enrolment, ward=enrolment.ward_id)
        return redirect("care:call", enrolment_id=enrolment.pk)
    call = open_call(enrolment)
    return render(
        request,
        "care/call.html",
        {
            "enrolment": enrolment,
            "call": call,
            "config": _config(call, "clinician", f"/staff/care/calls/{call.pk}/signal")
            if call
            else None,
        },
    )


def _config(call: Call, role: str, url: str) -> dict:
    return {"role": role, "signalUrl": url, "iceServers": ice_servers(), "callId": call.pk}


def patient_call(request, token: str):
    enrolment = enrolment_by_token(token)
    call = open_call(enrolment) if enrolment.status == EnrolmentStatus.ACTIVE else None
    return render(
        request,
        "care/public/call.html",
        {
            "enrolment": enrolment,
            "call": call,
            "hotlines": settings.HOTLINES,
            "config": _config(call, "patient", f"/tu-theo-doi/{token}/goi/{call.pk}/signal")
            if call
            else None,
        },
    )


def _exchange(request, call: Call, me: str) -> HttpResponse:
    other = "patient" if me == "clinician" else "clinician"
    if request.method == "POST":
        if len(request.body) > MAX_PAYLOAD:
            return JsonResponse({"errors": [{"field": "", "code": "too_large"}]}, status=413)
        try:
            body = json.loads(request.body)
            kind, payload = body["kind"], body.get("payload") or {}
        except (ValueError, KeyError, TypeError):
            return JsonResponse(_bad("bad_json"), status=422)
        if kind not in KINDS or not isinstance(payload, dict):
            return JsonResponse(_bad("not_allowed", "kind"), status=422)
        if call.ended_at is not None:
            return JsonResponse(_bad("call_ended"), status=409)
        signal = Signal.objects.create(call=call, sender=me, kind=kind, payload=payload)
        if kind == "hangup":
            Call.objects.filter(pk=call.pk).update(ended_at=timezone.now())
        return JsonResponse({"id": signal.pk})
    after = request.GET.get("after", "0")
    after_id = int(after) if after.isdigit() else 0
    rows = Signal.objects.filter(call=call, sender=other, pk__gt=after_id).order_by("pk")[:100]
    return JsonResponse(
        {
            "signals": [{"id": s.pk, "kind": s.kind, "payload": s.payload} for s in rows],
            "ended": call.ended_at is not None,
        }
    )


def _bad(code: str, field: str = "") -> dict:
    return {
        "errors": [
            {
                "field": field,
                "code": code,
                "message_vi": "Tín hiệu cuộc gọi không hợp lệ.",
                "message_en": "Invalid call signal.",
            }
        ]
    }


@login_required
def staff_signal(request, call_id: int):
    call = Call.objects.filter(pk=call_id).select_related("enrolment").first()
    if call is None:
        raise Http404
    queries.access_enrolment(request.user, call.enrolment_id)
    return _exchange(request, call, "clinician")


def patient_signal(request, token: str, call_id: int):
    enrolment = enrolment_by_token(token)
    call = Call.objects.filter(pk=call_id, enrolment=enrolment).first()
    if call is None:
        raise Http404
    if request.method == "POST":
        check_rate(request, "care-signal", 600)
    return _exchange(request, call, "patient")
