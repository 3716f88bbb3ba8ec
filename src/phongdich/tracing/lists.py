"""Helpers of the tracing lists and exports: search, filters, ward choices, streamed rows."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404, HttpResponse, StreamingHttpResponse

from phongdich.accounts import audit
from phongdich.core.collation import vi_order
from phongdich.lib.exports import iter_csv, write_xlsx
from phongdich.lib.phones import display_phone
from phongdich.lib.text import fold
from phongdich.lib.timeutil import format_vn
from phongdich.places.models import Ward
from phongdich.tracing import queries


def case_number(q: str) -> Q:
    digits = q.upper().removeprefix("F0-").strip()
    fits = digits.isascii() and digits.isdigit() and len(digits) <= 18  # an id column holds it
    return Q(pk=int(digits)) if fits else Q(pk__in=[])


def person_search(prefix: str, q: str) -> Q:
    """A name typed with or without diacritics, or a phone number in any spelling."""
    digits = "".join(ch for ch in q if ch.isdigit())
    found = Q(**{f"{prefix}name_folded__contains": fold(q)})
    if len(digits) >= 4:
        found |= Q(**{f"{prefix}phone__contains": digits.removeprefix("84").lstrip("0")})
    return found


def wards_of(queryset) -> list[tuple[int, str]]:
    """The wards a list's rows are in, by name, for its ward filter."""
    ids = queryset.order_by().values_list("ward_id", flat=True).distinct()
    return list(
        Ward.objects.filter(pk__in=ids).order_by(vi_order("name")).values_list("code", "name")
    )


def export(request, rows, headers, name, fmt, object_type, object_id, ward=None, count=None):
    """Every row, never a first page: CSV streams as it is read, XLSX is built from the same
    iterator in openpyxl's write-only mode."""
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    audit.record(
        "export",
        request=request,
        object_type=object_type,
        object_id=object_id,
        ward=ward,
        detail={"format": fmt, "rows": count if count is not None else len(rows)},
    )
    if fmt == "xlsx":
        response = HttpResponse(
            write_xlsx(rows, headers),
            content_type=("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )
    else:
        response = StreamingHttpResponse(
            iter_csv(rows, headers), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def rows_with_evidence(contacts, chunk: int = 1000):
    """Contact rows with their evidence, read a thousand contacts at a time."""
    batch = []
    for contact in contacts.iterator(chunk_size=chunk):
        batch.append(contact)
        if len(batch) == chunk:
            yield from evidence_rows(batch)
            batch = []
    yield from evidence_rows(batch)


def evidence_rows(batch):
    evidence = queries.evidence_by_contact([c.pk for c in batch])
    for contact in batch:
        yield contact_row(contact, evidence.get(contact.pk, []))


def contact_row(c, evidence):
    where = "; ".join(
        f"{e.venue.name} {format_vn(e.overlap_start)} ({e.overlap_minutes}')" for e in evidence
    )
    return [
        c.level,
        c.person.full_name,
        c.person.birth_year,
        display_phone(c.person.phone),
        c.person.address,
        c.ward.name,
        c.get_status_display(),
        c.relation,
        where,
        c.quarantine_start or "",
        c.quarantine_end or "",
    ]


CONTACT_HEADERS = [
    "F",
    "Họ và tên",
    "Năm sinh",
    "Số điện thoại",
    "Địa chỉ",
    "Phường/xã",
    "Trạng thái",
    "Quan hệ",
    "Nơi tiếp xúc",
    "Bắt đầu cách ly",
    "Kết thúc cách ly",
]
