"""Labels for tubes and pools: a QR of the code with the code printed beside, on A4 sheets
(3 × 8) or one per page for a thermal label printer (50 × 30 mm roll).

A tube label carries the person's name and year of birth, as sampling teams write on tubes by
hand, so a mixed-up tube is noticed at the bench; a pool label carries its session and size.
"""

from __future__ import annotations

from phongdich.lib.poster import render_label_sheet_pdf, render_thermal_labels_pdf
from phongdich.testing.models import Pool, Sample, SamplingSession

MAX_BLANK = 240  # ten sheets
LAYOUTS = ("a4", "thermal")


def _render(labels: list[tuple[str, str]], layout: str) -> bytes:
    if layout == "thermal":
        return render_thermal_labels_pdf(labels)
    return render_label_sheet_pdf(labels)


def _session_line(session: SamplingSession) -> str:
    return f"{session.site} · {session.date:%d/%m/%Y} · {session.get_test_type_display()}"


def tube_labels_pdf(session: SamplingSession, layout: str = "a4") -> bytes:
    samples = (
        Sample.objects.filter(session=session)
        .select_related("person")
        .order_by("collected_at", "pk")
    )
    labels = [
        (s.tube_code, f"{s.person.full_name} ({s.person.birth_year}) · {session.date:%d/%m/%Y}")
        for s in samples
    ]
    return _render(labels, layout)


def pool_labels_pdf(session: SamplingSession, layout: str = "a4") -> bytes:
    pools = Pool.objects.filter(session=session).order_by("created_at", "pk")
    labels = [
        (p.code, f"MẪU GỘP / POOL ({p.samples.count()}/{p.max_size}) · {_session_line(session)}")
        for p in pools
    ]
    return _render(labels, layout)


def blank_tube_labels_pdf(
    session: SamplingSession, count: int, layout: str = "a4"
) -> tuple[bytes, list[str]]:
    """Fresh tube codes for pre-labelling tubes; a code is only stored when a person is
    registered with it (its check character makes a mistyped one fail)."""
    from phongdich.testing.actions import new_unique_code

    codes = [new_unique_code() for _ in range(max(1, min(count, MAX_BLANK)))]
    return _render([(c, _session_line(session)) for c in codes], layout), codes
