import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from phongdich.accounts.actions import AccountError, do_create_staff
from phongdich.accounts.jurisdiction import access_ward, area_q, can_see_ward, require_role
from phongdich.places.models import Ward
from tests.conftest import HAC_THANH, QUANG_PHU

pytestmark = pytest.mark.django_db


def _wards(user):
    """The wards a user may see, computed through the same scope every app uses (users are
    themselves rows with a ``ward`` FK: one per ward is enough to observe the filter)."""
    from phongdich.accounts.models import AuditEvent

    events = [
        AuditEvent(at=timezone.now(), action="probe", ward_id=c)
        for c in Ward.objects.values_list("code", flat=True)
    ]
    AuditEvent.objects.bulk_create(events)
    return set(
        AuditEvent.objects.filter(area_q(user, "ward"), action="probe").values_list(
            "ward_id", flat=True
        )
    )


def test_ward_officer_sees_only_own_ward(ward_officer):
    assert _wards(ward_officer) == {HAC_THANH}


def test_province_officer_sees_whole_province(province_officer):
    wards = _wards(province_officer)
    assert len(wards) == 166
    assert {HAC_THANH, QUANG_PHU} <= wards


def test_admin_sees_everything(admin_user):
    assert len(_wards(admin_user)) == 3321


def test_other_province_sees_nothing_of_thanh_hoa(outsider):
    hac_thanh = Ward.objects.get(code=HAC_THANH)
    assert not can_see_ward(outsider, hac_thanh)
    with pytest.raises(Http404):
        access_ward(outsider, hac_thanh)


def test_other_ward_officer_gets_404(other_ward_officer, ward_officer):
    hac_thanh = Ward.objects.get(code=HAC_THANH)
    with pytest.raises(Http404):
        access_ward(other_ward_officer, hac_thanh)
    assert access_ward(ward_officer, hac_thanh) == hac_thanh


def test_require_role(ward_officer, admin_user):
    require_role(ward_officer, "ward_officer")
    require_role(admin_user, "ward_officer")
    with pytest.raises(PermissionDenied):
        require_role(ward_officer, "province_officer")


def test_staff_creation_validates_role_and_area(db):
    with pytest.raises(AccountError) as e:
        do_create_staff("x", "ward_officer", area=38)
    assert e.value.code == "ward_required"
    with pytest.raises(AccountError) as e:
        do_create_staff("x", "lab_technician", area=None)
    assert e.value.code == "area_required"
    with pytest.raises(AccountError) as e:
        do_create_staff("x", "wizard", area=38)
    assert e.value.code == "bad_role"
    with pytest.raises(AccountError) as e:
        do_create_staff("x", "province_officer", area=99999)
    assert e.value.code == "unknown_area"
    user, password = do_create_staff("lab", "lab_technician", area=HAC_THANH)
    assert user.ward_id == HAC_THANH and user.province_id == 38 and len(password) >= 12
