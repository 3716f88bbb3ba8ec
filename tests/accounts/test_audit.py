import pytest

from phongdich.accounts import audit
from phongdich.accounts.models import AuditEvent
from phongdich.places.models import Ward
from tests.conftest import HAC_THANH

pytestmark = pytest.mark.django_db


def test_audit_log_is_browsable_by_province_officer_with_filters(
    client, province_officer, ward_officer, outsider
):
    ward = Ward.objects.get(code=HAC_THANH)
    audit.record("view", actor=ward_officer, object_type="people.person", object_id=7, ward=ward)
    audit.record("export", actor=outsider, object_type="people.person", object_id=8)
    client.force_login(province_officer)
    page = client.get("/staff/audit/").content.decode()
    assert "people.person 7" in page
    assert "people.person 8" not in page  # Hà Nội's trail is not Thanh Hóa's business
    filtered = client.get("/staff/audit/", {"action": "export"}).content.decode()
    assert "people.person 7" not in filtered
    viewed = AuditEvent.objects.filter(action="view", object_id="7").get()
    assert viewed.province_id == 38 and viewed.actor_role == "ward_officer"


@pytest.mark.parametrize("who", ["ward_officer", "outsider_ward"])
def test_ward_officers_cannot_browse_the_audit_log(client, who, ward_officer, other_ward_officer):
    client.force_login(ward_officer if who == "ward_officer" else other_ward_officer)
    assert client.get("/staff/audit/").status_code == 403


def test_admin_sees_everything(client, admin_user, outsider):
    audit.record("export", actor=outsider, object_type="people.person", object_id=8)
    client.force_login(admin_user)
    assert "people.person 8" in client.get("/staff/audit/").content.decode()
