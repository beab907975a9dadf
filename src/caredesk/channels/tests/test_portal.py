import re

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from caredesk.accounts.factories import UserFactory
from caredesk.core.testing import signed_in
from caredesk.customers.factories import OrganizationFactory, customer_user
from caredesk.tickets.enums import Channel, TicketStatus
from caredesk.tickets.factories import ticket_make
from caredesk.tickets.models import Ticket
from caredesk.tickets.services import message_add

pytestmark = pytest.mark.django_db


def test_a_customer_submits_a_request_with_an_attachment_and_reads_the_reply() -> None:
    user = customer_user(email="pat@example.org")
    c = signed_in(user)
    response = c.post(
        "/portal/new/",
        {
            "subject": "Invoice is wrong",
            "description": "Charged twice.",
            "attachments": [SimpleUploadedFile("invoice.pdf", b"%PDF-1.4")],
        },
    )
    ticket = Ticket.objects.get(subject="Invoice is wrong")
    assert response.url == f"/portal/requests/{ticket.pk}/"
    assert ticket.requester == user.customer
    assert ticket.channel == Channel.PORTAL
    assert ticket.messages.get().attachments.get().filename == "invoice.pdf"
    message_add(ticket=ticket, author=UserFactory(), text="Refunded.", is_public=True)
    message_add(ticket=ticket, author=UserFactory(), text="secret note", is_public=False)
    page = c.get(f"/portal/requests/{ticket.pk}/").content.decode()
    assert "Refunded." in page
    assert "secret note" not in page
    c.post(f"/portal/requests/{ticket.pk}/reply", {"text": "Thanks!"})
    assert ticket.messages.filter(author_customer=user.customer, text="Thanks!").exists()
    c.post(f"/portal/requests/{ticket.pk}/close")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED


def test_the_list_shows_only_own_requests() -> None:
    pat, sam = customer_user(), customer_user()
    mine = ticket_make(requester=pat.customer, subject="Pat's")
    ticket_make(requester=sam.customer, subject="Sam's")
    page = signed_in(pat).get("/portal/")
    assert [t.pk for t in page.context["page"].items] == [mine.pk]


def test_another_customers_request_is_404_for_read_reply_and_close() -> None:
    pat, sam = customer_user(), customer_user()
    theirs = ticket_make(requester=sam.customer)
    c = signed_in(pat)
    assert c.get(f"/portal/requests/{theirs.pk}/").status_code == 404
    assert c.post(f"/portal/requests/{theirs.pk}/reply", {"text": "hi"}).status_code == 404
    assert c.post(f"/portal/requests/{theirs.pk}/close").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == TicketStatus.NEW
    assert theirs.messages.count() == 1


def test_organisation_members_see_shared_requests_only_when_the_organisation_shares() -> None:
    org = OrganizationFactory(shared_tickets=True)
    pat, sam = customer_user(), customer_user()
    for u in (pat, sam):
        u.customer.organization = org
        u.customer.save()
    theirs = ticket_make(requester=sam.customer, subject="Org matter")
    theirs.organization = org
    theirs.save()
    assert signed_in(pat).get(f"/portal/requests/{theirs.pk}/").status_code == 200
    assert signed_in(pat).post(f"/portal/requests/{theirs.pk}/close").status_code == 403
    org.shared_tickets = False
    org.save()
    assert signed_in(pat).get(f"/portal/requests/{theirs.pk}/").status_code == 404


def test_portal_pages_need_a_customer_account() -> None:
    ticket = ticket_make()
    for url in ("/portal/", "/portal/new/", f"/portal/requests/{ticket.pk}/"):
        anonymous = Client(SERVER_NAME="localhost").get(url)
        assert anonymous.status_code == 302
        assert "/accounts/login/" in anonymous.url
        assert signed_in(UserFactory()).get(url).status_code == 403


def test_a_magic_link_signs_a_customer_in_once() -> None:
    customer_user(email="link@example.org")
    c = Client(SERVER_NAME="localhost")
    c.post("/portal/sign-in-link/", {"email": "link@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://localhost(/portal/sign-in-link/open\?token=\S+)", mail.outbox[0].body)
    assert link is not None
    assert c.get(link.group(1)).url == "/portal/"
    assert c.get("/portal/").status_code == 200
    again = Client(SERVER_NAME="localhost").get(link.group(1))
    assert again.url == "/portal/sign-in-link/"  # used once: refused


def test_no_magic_link_for_staff_unknown_addresses_or_two_factor_users() -> None:
    UserFactory(email="agent@example.org")
    protected = customer_user(email="totp@example.org")
    Authenticator.objects.create(user=protected, type=Authenticator.Type.TOTP, data={"secret": "x"})
    c = Client(SERVER_NAME="localhost")
    for email in ("agent@example.org", "nobody@example.org", "totp@example.org"):
        page = c.post("/portal/sign-in-link/", {"email": email})
        assert b"If an account exists" in page.content
    assert mail.outbox == []


def test_an_organisation_admin_sees_the_organisations_requests_even_unshared() -> None:
    org = OrganizationFactory(shared_tickets=False)
    admin, member = customer_user(), customer_user()
    for u in (admin, member):
        u.customer.organization = org
        u.customer.save()
    theirs = ticket_make(requester=member.customer, subject="Team laptop")
    theirs.organization = org
    theirs.save()
    assert signed_in(admin).get(f"/portal/requests/{theirs.pk}/").status_code == 404
    admin.customer.org_admin = True
    admin.customer.save()
    page = signed_in(admin).get("/portal/")
    assert theirs.pk in [t.pk for t in page.context["page"].items]
    assert signed_in(admin).get(f"/portal/requests/{theirs.pk}/").status_code == 200
    # the member is no admin: they still see only their own
    own = ticket_make(requester=admin.customer, subject="Admin's own")
    own.organization = org
    own.save()
    assert signed_in(member).get(f"/portal/requests/{own.pk}/").status_code == 404
