"""A visitor's enquiries are in the privacy export and erasure, and go after the retention period."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.utils import timezone

from enquiries.models import Enquiry, EnquiryEmail
from offers.privacy import personal_data as order_privacy

pytestmark = pytest.mark.django_db


def staff(django_user_model, *codenames):
    user = django_user_model.objects.create_user(username=f"staff-{'-'.join(codenames) or 'none'}", password="pw")
    group = Group.objects.create(name=f"group-{user.username}")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in codenames:
        group.permissions.add(Permission.objects.get(codename=codename, content_type__app_label="enquiries"))
    user.groups.add(group)
    return user


def test_a_customers_order_export_includes_their_enquiries(send, contact):
    from tests.factories import OrderFactory

    send(contact, {"e_mail": "ADA@example.com"})
    order = OrderFactory(customer_email="ada@example.com", paid=True)
    data = order_privacy.export(order)
    [enquiry] = data["enquiries"]
    assert enquiry["form"] == "Contact"
    assert enquiry["data"]["your_message"] == "Could you build us a site?"
    assert {email["kind"] for email in enquiry["emails"]} == {"to staff", "automatic reply"}
    json.dumps(data)  # the download is JSON


def test_erasing_a_customer_erases_their_enquiries_too(send, contact):
    from tests.factories import OrderFactory

    send(contact)
    send(contact, {"e_mail": "someone.else@example.com"})
    order = OrderFactory(customer_email="ada@example.com", paid=True)
    order_privacy.erase(order.pk)
    assert list(Enquiry.objects.values_list("email", flat=True)) == ["someone.else@example.com"]
    assert not EnquiryEmail.objects.filter(recipients="ada@example.com").exists()


def test_staff_find_download_and_erase_a_visitors_enquiries(client, django_user_model, send, contact):
    send(contact)
    client.force_login(staff(django_user_model))
    assert client.get("/admin/enquiries/personal-data/").status_code in (302, 403)

    client.force_login(staff(django_user_model, "export_enquiry_personal_data"))
    assert "Find enquiries" in client.get("/admin/enquiries/personal-data/").content.decode()
    page = client.get("/admin/enquiries/personal-data/?email=ada@example.com").content.decode()
    assert "1 enquiry from ada@example.com" in page
    assert "Erase these enquiries" not in page
    download = client.get("/admin/enquiries/personal-data/?email=ada@example.com&download=1")
    assert download["Content-Type"].startswith("application/json")
    assert json.loads(download.content)["enquiries"][0]["data"]["your_name"] == "Ada Lovelace"
    refused = client.post("/admin/enquiries/personal-data/", {"email": "ada@example.com", "confirm": "yes"})
    assert refused.status_code in (302, 403)
    assert Enquiry.objects.exists()

    client.force_login(staff(django_user_model, "erase_enquiry_personal_data"))
    response = client.post("/admin/enquiries/personal-data/", {"email": "ada@example.com", "confirm": "yes"})
    assert response.url == "/admin/enquiries/personal-data/"
    assert not Enquiry.objects.exists()


def test_enquiries_older_than_the_retention_period_are_deleted(send, contact, settings, capsys):
    settings.ENQUIRY_RETENTION_DAYS = 30
    send(contact)
    send(contact, {"e_mail": "recent@example.com"})
    Enquiry.objects.filter(email="ada@example.com").update(submit_time=timezone.now() - timedelta(days=31))
    call_command("purge_old_enquiries")
    assert "1 enquiries older than 30 days deleted." in capsys.readouterr().out
    assert list(Enquiry.objects.values_list("email", flat=True)) == ["recent@example.com"]
    assert EnquiryEmail.objects.count() == 2  # the deleted enquiry's e-mails went with it
