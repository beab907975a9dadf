import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from caredesk.accounts.enums import Role
from caredesk.accounts.factories import TeamFactory, UserFactory
from caredesk.channels.models import OutboundMessage
from caredesk.core.testing import signed_in
from caredesk.customers.factories import customer_user
from caredesk.tickets import views
from caredesk.tickets.enums import Channel, TicketStatus
from caredesk.tickets.factories import ticket_make
from caredesk.tickets.inbox import GLOBAL_COUNTS_KEY
from caredesk.tickets.models import CannedReply, Commitment, Message, Ticket, TicketEvent
from caredesk.tickets.services import AttachmentData, commitment_create, message_add

pytestmark = pytest.mark.django_db


def test_inbox_views_count_and_list_the_right_tickets() -> None:
    agent = UserFactory()
    team = TeamFactory()
    team.members.add(agent)
    mine = ticket_make(subject="Mine", assignee=agent)
    ticket_make(subject="Nobody's")
    ticket_make(subject="Team's", team=team, assignee=UserFactory())
    c = signed_in(agent)
    page = c.get("/inbox/?view=mine")
    assert page.status_code == 200
    assert page.context["counts"] == {
        "mine": 1,
        "unassigned": 1,
        "team": 1,
        "open": 3,
        "solved": 0,
        "overdue": 0,
    }
    assert [r.id for r in page.context["rows"]] == [mine.pk]
    assert [r.subject for r in c.get("/inbox/?view=unassigned").context["rows"]] == ["Nobody's"]
    assert [r.subject for r in c.get("/inbox/?view=team").context["rows"]] == ["Team's"]


def test_inbox_filters_sort_and_pages_with_a_cursor() -> None:
    agent = UserFactory()
    for i in range(3):
        ticket_make(subject=f"Phone {i}", channel=Channel.PHONE, priority="high")
    ticket_make(subject="Mail", channel=Channel.EMAIL)
    c = signed_in(agent)
    page = c.get("/inbox/", {"view": "open", "channel": "phone", "sort": "created_at"})
    subjects = [r.subject for r in page.context["rows"]]
    assert subjects == ["Phone 0", "Phone 1", "Phone 2"]
    assert c.get("/inbox/", {"view": "open", "priority": "urgent"}).context["rows"] == []

    views.PAGE_SIZE, old = 2, views.PAGE_SIZE
    try:
        first = c.get("/inbox/", {"view": "open"})
        cursor = first.context["page"].next_cursor
        assert cursor
        second = c.get("/inbox/", {"view": "open", "cursor": cursor})
    finally:
        views.PAGE_SIZE = old
    seen = [r.id for r in first.context["rows"]] + [r.id for r in second.context["rows"]]
    assert len(set(seen)) == 4


def test_inbox_with_a_bad_cursor_or_filter_is_a_clear_error_not_a_500() -> None:
    c = signed_in(UserFactory())
    assert c.get("/inbox/", {"cursor": "not-a-cursor"}).status_code in (302, 400, 422)
    assert c.get("/inbox/", {"status": "nonsense"}).status_code == 200  # ignored, form error


def test_bulk_actions_assign_set_status_and_tag() -> None:
    agent, other = UserFactory(), UserFactory()
    a, b = ticket_make(), ticket_make()
    c = signed_in(agent)
    c.post("/inbox/bulk", {"ids": [a.pk, b.pk], "action": "assign", "assignee": other.pk})
    c.post("/inbox/bulk", {"ids": [a.pk], "action": "tag", "tag": "vip"})
    c.post("/inbox/bulk", {"ids": [b.pk], "action": "status", "status": "pending"})
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.assignee == other
    assert b.assignee == other
    assert list(a.tags.values_list("name", flat=True)) == ["vip"]
    assert b.status == TicketStatus.PENDING
    assert TicketEvent.objects.filter(ticket=a, field="assignee", actor=agent).exists()


def test_ticket_page_shows_conversation_notes_and_sanitised_html() -> None:
    agent = UserFactory()
    ticket = ticket_make(html='<p>Hello <script>alert(1)</script><img src=x onerror="x()"></p>')
    message_add(ticket=ticket, author=agent, text="Only for us", is_public=False)
    page = signed_in(agent).get(f"/tickets/{ticket.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Only for us" in body
    assert "Internal note" in body
    assert "<script>alert" not in body
    assert "onerror" not in body


def test_reply_goes_out_through_the_email_outbox_and_solves() -> None:
    agent = UserFactory()
    ticket = ticket_make(channel=Channel.EMAIL)
    c = signed_in(agent)
    response = c.post(
        f"/tickets/{ticket.pk}/reply",
        {
            "kind": "reply",
            "text": "We fixed it.",
            "status_after": "solved",
            "version": ticket.version,
            "attachments": [SimpleUploadedFile("fix.txt", b"details")],
        },
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.SOLVED
    reply = Message.objects.get(ticket=ticket, author_user=agent)
    assert reply.attachments.get().filename == "fix.txt"
    assert OutboundMessage.objects.get(message=reply).status == "queued"


def test_internal_note_is_not_queued_for_delivery() -> None:
    agent = UserFactory()
    ticket = ticket_make(channel=Channel.EMAIL)
    signed_in(agent).post(
        f"/tickets/{ticket.pk}/reply", {"kind": "note", "text": "psst", "version": ticket.version}
    )
    assert Message.objects.filter(ticket=ticket, is_public=False).count() == 1
    assert not OutboundMessage.objects.exists()


def test_a_save_on_a_stale_version_is_refused_with_a_message_and_nothing_is_lost() -> None:
    first, second = UserFactory(), UserFactory()
    ticket = ticket_make()
    stale_version = ticket.version
    form = {
        "status": "open",
        "type": "question",
        "team": "",
        "tags": "",
        "version": stale_version,
    }
    ok = signed_in(first).post(
        f"/tickets/{ticket.pk}/properties", {**form, "priority": "high", "assignee": first.pk}
    )
    assert ok.status_code == 302
    refused = signed_in(second).post(
        f"/tickets/{ticket.pk}/properties", {**form, "priority": "low", "assignee": second.pk}
    )
    assert refused.status_code == 409
    assert "Someone else changed this ticket" in refused.content.decode()
    ticket.refresh_from_db()
    assert ticket.priority == "high"
    assert ticket.assignee == first


def test_presence_shows_who_else_is_viewing_or_replying() -> None:
    ann, bob = UserFactory(first_name="Ann"), UserFactory(first_name="Bob")
    ticket = ticket_make()
    signed_in(ann).post(f"/tickets/{ticket.pk}/presence", {"state": "replying"})
    seen = signed_in(bob).post(f"/tickets/{ticket.pk}/presence", {"state": "viewing"})
    assert "Ann Agent (replying…)" in seen.content.decode()
    stale = signed_in(bob).post(f"/tickets/{ticket.pk}/presence", {"version": "0"})
    assert "was changed after you opened it" in stale.content.decode()


def test_canned_reply_fills_placeholders() -> None:
    agent = UserFactory(first_name="Alex")
    ticket = ticket_make()
    ticket.requester.name = "Dana Scully"
    ticket.requester.save()
    canned = CannedReply.objects.create(
        title="Hi", body="Hello {{customer.first_name}}, {{agent.first_name}} here. {{nope.x}}"
    )
    text = signed_in(agent).get(f"/tickets/{ticket.pk}/canned/{canned.pk}").content.decode()
    assert text == "Hello Dana, Alex here. {{nope.x}}"


def test_a_team_canned_reply_is_hidden_from_other_teams() -> None:
    agent = UserFactory()
    canned = CannedReply.objects.create(title="Team only", body="x", team=TeamFactory())
    ticket = ticket_make()
    assert signed_in(agent).get(f"/tickets/{ticket.pk}/canned/{canned.pk}").status_code == 404


def test_merge_and_commitment_from_the_ticket_page() -> None:
    agent = UserFactory()
    source, target = ticket_make(), ticket_make()
    c = signed_in(agent)
    c.post(
        f"/tickets/{target.pk}/commitments",
        {"description": "Call back", "due_at": "2030-01-02T10:00"},
    )
    assert Commitment.objects.get(ticket=target).description == "Call back"
    c.post(f"/tickets/{source.pk}/merge", {"target": target.pk})
    source.refresh_from_db()
    assert source.merged_into_id == target.pk


def test_attachments_download_and_never_render_inline() -> None:
    agent = UserFactory()

    ticket = ticket_make(
        attachments=[AttachmentData("evil.svg", "image/svg+xml", b"<svg onload='x()'/>")]
    )
    attachment = ticket.messages.get().attachments.get()
    response = signed_in(agent).get(f"/attachments/{attachment.pk}/download")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"


AGENT_PAGES = [
    "/inbox/",
    "/tickets/{ticket}/",
    "/customers/",
    "/customers/{customer}/",
    "/search/?q=router",
]
ADMIN_PAGES = [
    "/manage/",
    "/manage/users/",
    "/manage/teams/",
    "/manage/canned-replies/",
    "/manage/custom-fields/",
    "/manage/settings/",
]


def _urls(paths: list[str], ticket: Ticket) -> list[str]:
    return [p.format(ticket=ticket.pk, customer=ticket.requester_id) for p in paths]


def test_every_agent_page_needs_sign_in_and_a_staff_role() -> None:
    ticket = ticket_make()
    customer = customer_user()
    for url in _urls(AGENT_PAGES + ADMIN_PAGES, ticket):
        anonymous = Client(SERVER_NAME="localhost").get(url)
        assert anonymous.status_code == 302, url
        assert "/accounts/login/" in anonymous.url, url
        assert signed_in(customer).get(url).status_code == 403, url
    agent = UserFactory()
    for url in _urls(AGENT_PAGES, ticket):
        assert signed_in(agent).get(url).status_code == 200, url
    for url in _urls(ADMIN_PAGES, ticket):
        assert signed_in(agent).get(url).status_code == 403, url
    admin = UserFactory(role=Role.ADMIN)
    for url in _urls(AGENT_PAGES + ADMIN_PAGES, ticket):
        assert signed_in(admin).get(url).status_code == 200, url


def test_agent_writes_need_a_staff_role() -> None:
    ticket = ticket_make()
    customer = customer_user()
    for url in (
        "/inbox/bulk",
        f"/tickets/{ticket.pk}/properties",
        f"/tickets/{ticket.pk}/status",
        f"/tickets/{ticket.pk}/reply",
        f"/tickets/{ticket.pk}/merge",
        f"/tickets/{ticket.pk}/commitments",
        f"/tickets/{ticket.pk}/presence",
    ):
        assert signed_in(customer).post(url, {"text": "x", "kind": "note"}).status_code == 403
    assert not Message.objects.filter(is_public=False).exists()


def test_the_other_agent_and_admin_writes_refuse_customers_and_strangers() -> None:
    agent = UserFactory()
    ticket = ticket_make()
    canned = CannedReply.objects.create(title="t", body="b")
    commitment = commitment_create(
        ticket=ticket, actor=agent, description="Call", due_at=ticket.created_at
    )
    customer = customer_user()
    posts = [
        f"/customers/{ticket.requester_id}/notes",
        f"/commitments/{commitment.pk}/resolve",
        "/manage/users/",
        "/manage/teams/",
        "/manage/canned-replies/",
        "/manage/custom-fields/",
        "/manage/settings/",
    ]
    for url in posts:
        assert signed_in(customer).post(url, {"text": "x", "status": "kept"}).status_code == 403
        anonymous = Client(SERVER_NAME="localhost").post(url, {"text": "x"})
        assert anonymous.status_code == 302, url
    for url in posts[2:]:
        assert signed_in(agent).post(url, {"name": "x"}).status_code == 403, url
    canned_url = f"/tickets/{ticket.pk}/canned/{canned.pk}"
    assert signed_in(customer).get(canned_url).status_code == 403
    commitment.refresh_from_db()
    assert commitment.status == "pending"


def test_merging_into_a_missing_ticket_is_a_form_error() -> None:
    ticket = ticket_make()
    page = signed_in(UserFactory()).post(f"/tickets/{ticket.pk}/merge", {"target": 999999})
    assert page.status_code == 404
    assert "No ticket with id 999999" in page.content.decode()


def test_shared_view_counts_are_reused_for_ten_seconds_and_own_counts_are_exact() -> None:
    agent = UserFactory()
    c = signed_in(agent)
    assert c.get("/inbox/").context["counts"]["open"] == 0
    ticket_make(assignee=agent)
    counts = c.get("/inbox/").context["counts"]
    assert counts["open"] == 0  # shared count, cached
    assert counts["mine"] == 1  # the agent's own view is always exact
    cache.delete(GLOBAL_COUNTS_KEY)  # as ten seconds later
    assert c.get("/inbox/").context["counts"]["open"] == 1
