"""A sampling session end to end in Chromium: the ward team registers three people and pools
them, the lab receives the pool and imports a positive result, resolves the three retests, the
positive one becomes a case on the ward officer's dashboard, and a citizen looks up a result on
the public page. At the site, a phone's camera reads personal QR codes too."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from phongdich.lib.poster import pdf_to_png_pages
from phongdich.lib.qr import decode_qr_png
from phongdich.testing.actions import do_create_lab, do_create_session
from phongdich.testing.models import Pool, Sample, SamplingSession
from phongdich.tracing.models import Case
from tests.conftest import HAC_THANH, THANH_HOA, _staff
from tests.e2e.conftest import PHONE, expect, log_in, snap
from tests.e2e.fake_camera import browser_seeing, y4m_showing

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PEOPLE = [
    ("Nguyễn Thị Hoa", "1984", "female", "0912 300 001"),
    ("Trần Văn Bình", "1979", "male", "0912 300 002"),
    ("Lê Minh Châu", "2001", "female", "0912 300 003"),
]


def open_session(page) -> SamplingSession:
    page.goto("/staff/testing/")
    page.fill("#f-site", "Nhà văn hóa khu phố 5")
    page.select_option("#f-test_type", "rt_pcr")
    page.fill("#f-team", "Tổ lấy mẫu số 2")
    page.click("#session-create")
    page.wait_for_url(re.compile(r"/staff/testing/\d+/$"))
    expect(page.locator("#advice-size")).to_have_text("10")
    return SamplingSession.objects.get()


def register(page, name: str, year: str, gender: str, phone: str) -> None:
    page.fill("#f-full_name", name)
    page.fill("#f-birth_year", year)
    page.select_option("#f-gender", gender)
    page.fill("#f-phone", phone)
    page.click("#register-button")
    expect(page.locator(".messages li.success")).to_contain_text(name)


def pool_code_from_label(page, session: SamplingSession) -> str:
    """The pool's code as a lab scanner reads it: from the printed label sheet."""
    response = page.request.get(f"/staff/testing/{session.pk}/labels/pools.pdf")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    [code] = decode_qr_png(pdf_to_png_pages(response.body())[0])
    return code


def import_file(page, rows: list[tuple[str, str]]) -> None:
    body = "Mã mẫu,Kết quả,Ct\n" + "".join(f"{code},{result},\n" for code, result in rows)
    page.goto("/staff/testing/lab/import")
    page.set_input_files(
        "#import-file",
        files=[{"name": "ket-qua.csv", "mimeType": "text/csv", "buffer": body.encode("utf-8")}],
    )
    page.click("#preview-button")
    expect(page.locator("#preview-ok")).to_be_visible()
    expect(page.locator("#count-new")).to_have_text(str(len(rows)))
    page.click("#commit-button")
    page.wait_for_url(re.compile(r"/staff/testing/lab/"))


def test_a_session_from_registration_to_the_public_result(new_context, ward_officer):
    technician = _staff("labtech", "lab_technician", THANH_HOA)
    do_create_lab("CDC Thanh Hóa", THANH_HOA, staff=[technician])

    team = new_context().new_page()
    log_in(team, "ward")
    session = open_session(team)
    for person in PEOPLE:
        register(team, *person)
    expect(team.locator("#samples tbody tr")).to_have_count(3)
    team.fill("#pool-size", "3")
    team.click("#pool-button")
    expect(team.locator("#pools tbody tr")).to_have_count(1)
    snap(team, "testing-session")
    pool = Pool.objects.get()
    assert pool_code_from_label(team, session) == pool.code
    tubes = {s.person.full_name: s.tube_code for s in Sample.objects.select_related("person")}

    lab = new_context().new_page()
    log_in(lab, "labtech")
    lab.goto("/staff/testing/lab/")
    lab.fill("#receive-code", pool.code.lower())
    lab.click("#receive-button")
    expect(lab.locator(".messages li.success")).to_contain_text(pool.code)
    import_file(lab, [(pool.code, "Dương tính")])
    retests = lab.locator("#work-retest tbody tr")
    expect(retests).to_have_count(3)
    snap(lab, "testing-lab-retests")

    sick = PEOPLE[1][0]
    for name, code in tubes.items():
        lab.fill("#result-code", code)
        lab.select_option("#result-value", "positive" if name == sick else "negative")
        lab.click("#result-button")
        expect(lab.locator(".messages li.success")).to_be_visible()
    expect(lab.locator("#work-retest tbody tr")).to_have_count(1)  # "nothing" row
    expect(lab.locator("#work-retest [id^=retest-]")).to_have_count(0)

    case = Case.objects.get()
    assert case.person.full_name == sick and case.source == "test"
    team.goto("/staff/")
    card = team.locator("a.tile[href='/staff/testing/positives/'] .big")
    expect(card).to_have_text("1")
    team.goto(f"/staff/testing/{session.pk}/")
    expect(team.locator(f"#sample-{tubes[sick]} td[data-result]")).to_have_attribute(
        "data-result", "positive"
    )

    citizen = new_context().new_page()
    citizen.goto("/ket-qua")  # linked from every portal page (tests/portal check the links)
    healthy, year = PEOPLE[0][0], PEOPLE[0][1]
    citizen.fill("#f-code", tubes[healthy].lower())
    citizen.fill("#f-birth_year", str(int(year) + 1))
    citizen.click("#lookup-button")
    expect(citizen.locator("#not-found")).to_be_visible()
    citizen.fill("#f-code", tubes[healthy])
    citizen.fill("#f-birth_year", year)
    citizen.click("#lookup-button")
    expect(citizen.locator("#result")).to_have_attribute("data-result", "negative")
    expect(citizen.locator("main")).not_to_contain_text(healthy)
    snap(citizen, "testing-public-result")


def walk_in_session(officer) -> SamplingSession:
    data = {
        "site": "Nhà văn hóa khu phố 3",
        "ward_code": HAC_THANH,
        "date": timezone.localdate().isoformat(),
        "test_type": "rt_pcr",
        "team": "Tổ 1",
        "target_kind": "walk_in",
    }
    return do_create_session(data, actor=officer)


def test_the_camera_reads_a_personal_qr_at_the_site(
    launch, new_context, ward_officer, citizen, tmp_path
):
    session = walk_in_session(ward_officer)
    video = y4m_showing(f"PD1:{citizen.token}", tmp_path / "qr.y4m")
    browser = browser_seeing(launch, video)
    context = new_context(on=browser, **PHONE)
    context.grant_permissions(["camera"])
    page = context.new_page()
    log_in(page, "ward")
    page.goto(f"/staff/testing/{session.pk}/")
    panel = page.locator("#camera-panel")
    expect(panel).to_be_hidden()

    # Pointed at someone's personal QR, a tube field's camera refuses it and stays open.
    page.tap("#register-qr button[data-camera-target=qr-tube_code]")
    expect(panel).to_be_visible()
    expect(page.locator("#register-qr #camera-video")).to_be_visible()
    expect(page.locator("#camera-status")).to_have_text(
        "Đây không phải mã ống mẫu.", timeout=15_000
    )
    # Linux Chromium has no BarcodeDetector, so this exercises the vendored jsQR.
    assert panel.get_attribute("data-decoder") in {"jsqr", "native"}
    assert page.locator("#qr-tube_code").input_value() == ""
    snap(page, "testing-camera")

    # The personal QR field's camera reads it, fills the field and registers the person.
    page.tap("#register-qr button[data-camera-target=f-qr]")
    expect(page.locator(".messages li.success")).to_contain_text(citizen.full_name, timeout=15_000)
    sample = Sample.objects.get()
    assert (sample.session, sample.person) == (session, citizen)
    expect(page.locator(f"#sample-{sample.tube_code}")).to_contain_text(citizen.full_name)
    expect(panel).to_be_hidden()
    snap(page, "testing-camera-registered")


def test_without_javascript_the_personal_qr_is_typed(new_context, ward_officer, citizen):
    session = walk_in_session(ward_officer)
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, "ward")
    page.goto(f"/staff/testing/{session.pk}/")
    expect(page.locator("button[data-camera-target]").first).to_be_hidden()
    expect(page.locator("#camera-panel")).to_be_hidden()
    page.fill("#f-qr", f"PD1:{citizen.token}")
    page.click("#register-qr-button")
    expect(page.locator(".messages li.success")).to_contain_text(citizen.full_name)
    assert Sample.objects.get().person == citizen
