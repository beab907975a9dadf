import base64

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caredesk.accounts.factories import TeamFactory, UserFactory
from caredesk.customers.factories import customer_user
from caredesk.customers.services import organization_create
from caredesk.tickets.factories import ticket_make
from caredesk.tickets.services import message_add

pytestmark = pytest.mark.django_db


def test_agent_creates_lists_reads_and_updates_a_ticket(api_as) -> None:
    agent = UserFactory(email="agent@example.org")
    team = TeamFactory()
    api = api_as(agent)
    created = api.post(
        "tickets",
        {
            "subject": "Invoice wrong",
            "text": "Charged twice",
            "requester_email": "Pat@Example.org",
            "requester_name": "Pat Doe",
            "type": "complaint",
            "priority": "high",
            "tags": ["billing"],
            "assignee_id": agent.pk,
            "team_id": team.pk,
            "cc": ["cfo@example.org"],
            "custom_fields": {"order": "A-1"},
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["requester"] == {
        "id": body["requester"]["id"],
        "name": "Pat Doe",
        "email": "pat@example.org",
    }
    assert body["ccs"][0]["email"] == "cfo@example.org"
    assert (body["type"], body["priority"], body["tags"]) == ("complaint", "high", ["billing"])
    ticket_id = body["id"]
    listed = api.get("tickets", tag="billing").json()
    assert [t["id"] for t in listed["items"]] == [ticket_id]
    patched = api.patch(f"tickets/{ticket_id}", {"status": "pending", "version": body["version"]})
    assert patched.status_code == 200
    assert patched.json()["status"] == "pending"
    stale = api.patch(f"tickets/{ticket_id}", {"status": "open", "version": body["version"]})
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    assert stale["Content-Type"] == "application/problem+json"
    events = api.get(f"tickets/{ticket_id}/events").json()
    assert {"field": "status", "old_value": "pending", "new_value": "pending"} not in events
    assert any(e["field"] == "status" and e["new_value"] == "pending" for e in events)


def test_messages_list_and_post_with_attachment(api_as) -> None:
    agent = UserFactory(email="a@example.org", first_name="Ada", last_name="Lee")
    ticket = ticket_make()
    api = api_as(agent)
    payload = base64.b64encode(b"<svg onload=alert(1)>").decode()
    r = api.post(
        f"tickets/{ticket.pk}/messages",
        {
            "html": "<p>Hi <img src=x onerror=alert(1)></p>",
            "status": "pending",
            "attachments": [
                {"filename": "pic.svg", "content_type": "image/svg+xml", "data_base64": payload}
            ],
        },
    )
    assert r.status_code == 201, r.content
    message = r.json()
    assert message["author"] == {"email": "a@example.org", "name": "Ada Lee", "role": "agent"}
    assert "onerror" not in message["html"]
    assert message["text"] == "Hi"
    attachment = message["attachments"][0]
    assert attachment["size"] == len(b"<svg onload=alert(1)>")
    download = api.client.get(attachment["download_url"], **api.headers)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Content-Type"] == "application/octet-stream"
    assert b"".join(download.streaming_content) == b"<svg onload=alert(1)>"
    r = api.post(f"tickets/{ticket.pk}/messages", {"text": "internal", "public": False})
    conversation = api.get(f"tickets/{ticket.pk}/messages").json()
    assert [m["public"] for m in conversation] == [True, True, False]
    both = api.get(f"tickets/{ticket.pk}", include="messages").json()
    assert both["messages"] == conversation
    assert api.get(f"tickets/{ticket.pk}").json()["messages"] is None
    assert conversation[0]["author"]["role"] == "customer"
    assert api.get(f"tickets/{ticket.pk}").json()["status"] == "pending"


def test_customer_sees_only_own_tickets_and_never_internal_notes(api_as) -> None:
    alice, bob = customer_user(email="alice@example.org"), customer_user(email="bob@example.org")
    mine = ticket_make(requester=alice.customer, subject="Alice's problem")
    theirs = ticket_make(requester=bob.customer, subject="Bob's secret")
    message_add(ticket=mine, author=UserFactory(), text="internal remark", is_public=False)
    api = api_as(alice)
    assert [t["id"] for t in api.get("tickets").json()["items"]] == [mine.pk]
    for path in (f"tickets/{theirs.pk}", f"tickets/{theirs.pk}/messages"):
        r = api.get(path)
        assert r.status_code == 404
        assert r.json()["code"] == "not_found"
    assert api.post(f"tickets/{theirs.pk}/messages", {"text": "hi"}).status_code == 404
    assert api.patch(f"tickets/{theirs.pk}", {"status": "closed"}).status_code == 404
    texts = [m["text"] for m in api.get(f"tickets/{mine.pk}/messages").json()]
    assert "internal remark" not in texts
    assert api.get(f"tickets/{mine.pk}/events").status_code == 403
    assert api.get(f"customers/{bob.customer_id}").status_code == 404
    assert api.get(f"customers/{alice.customer_id}").status_code == 200
    assert api.get("customers").status_code == 403
    search = api.get("search", q="secret").json()
    assert search["tickets"] == []
    assert search["customers"] == []


def test_customer_creates_and_replies_and_cannot_write_notes(api_as) -> None:
    alice = customer_user(email="alice2@example.org")
    api = api_as(alice)
    r = api.post(
        "tickets", {"subject": "Help", "text": "It broke", "requester_email": "other@example.org"}
    )
    assert r.status_code == 201
    ticket = r.json()
    assert ticket["requester"]["email"] == "alice2@example.org"
    r = api.post("tickets", {"subject": "x", "text": "y", "assignee_id": 1})
    assert r.status_code == 403
    r = api.post(f"tickets/{ticket['id']}/messages", {"text": "psst", "public": False})
    assert r.status_code == 403
    r = api.patch(f"tickets/{ticket['id']}", {"status": "closed"})
    assert r.status_code == 200
    assert r.json()["status"] == "closed"


def test_organisation_members_see_shared_tickets_only_when_allowed(api_as) -> None:
    org = organization_create(name="Shared Co", domains=["shared.example"], shared_tickets=True)
    a = customer_user(email="a@shared.example")
    b = customer_user(email="b@shared.example")
    assert a.customer.organization == org
    t = ticket_make(requester=b.customer)
    assert api_as(a).get(f"tickets/{t.pk}").status_code == 200
    org.shared_tickets = False
    org.save()
    assert api_as(a).get(f"tickets/{t.pk}").status_code == 404


def test_keyset_pagination_and_filters(api_as) -> None:
    agent = UserFactory()
    made = [ticket_make(subject=f"T{i}") for i in range(5)]
    api = api_as(agent)
    seen = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get("tickets", **params).json()
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [t.pk for t in reversed(made)]
    assert api.get("tickets", status="solved").json()["items"] == []
    assert len(api.get("tickets", open="true").json()["items"]) == 5  # new counts as open
    assert api.get("tickets", unassigned="true", type="incident").json()["items"] == []
    assert api.get("tickets", status="bogus").status_code == 422
    assert api.get("tickets", cursor="%%%").status_code == 422
    assert api.get("tickets", limit=100000).status_code == 422
    assert api.get("tickets", order="subject").status_code == 422
    first = made[0]
    only = api.get("tickets", requester_id=first.requester_id).json()["items"]
    assert [t["id"] for t in only] == [first.pk]


def test_ticket_list_query_count_is_constant(api_as) -> None:
    agent = UserFactory()
    team = TeamFactory()
    api = api_as(agent)
    for i in range(3):
        ticket_make(subject=f"T{i}", tags=["a", "b"], assignee=agent, team=team)
    api.get("tickets")  # the token's last use is written at most once a minute
    with CaptureQueriesContext(connection) as small:
        assert api.get("tickets").status_code == 200
    for i in range(20):
        ticket_make(subject=f"U{i}", tags=["c"], assignee=agent, team=team)
    with CaptureQueriesContext(connection) as large:
        assert api.get("tickets").status_code == 200
    assert len(small) == len(large)
    assert len(large) == 4  # token with user, tickets with joins, tags, requester contacts


def test_ticket_detail_and_messages_query_counts_are_constant(api_as) -> None:
    agent = UserFactory()
    ticket = ticket_make()
    api = api_as(agent)
    api.get(f"tickets/{ticket.pk}")  # token last-use write happens once a minute
    with CaptureQueriesContext(connection) as few:
        api.get(f"tickets/{ticket.pk}/messages")
    with CaptureQueriesContext(connection) as few_both:
        api.get(f"tickets/{ticket.pk}", include="messages")
    for i in range(10):
        message_add(ticket=ticket, author=agent, text=f"reply {i}")
    with CaptureQueriesContext(connection) as many:
        api.get(f"tickets/{ticket.pk}/messages")
    with CaptureQueriesContext(connection) as many_both:
        assert len(api.get(f"tickets/{ticket.pk}", include="messages").json()["messages"]) == 11
    assert len(few) == len(many)
    assert len(few_both) == len(many_both)


def test_merge_and_commitments_over_api(api_as) -> None:
    agent = UserFactory()
    api = api_as(agent)
    a, b = ticket_make(), ticket_make()
    r = api.post(f"tickets/{b.pk}/merge", {"into_id": a.pk})
    assert r.status_code == 200
    assert r.json()["id"] == a.pk
    assert api.get(f"tickets/{b.pk}").json()["merged_into_id"] == a.pk
    assert api.post(f"tickets/{a.pk}/merge", {"into_id": a.pk}).status_code == 409
    r = api.post(
        f"tickets/{a.pk}/commitments",
        {"description": "Call back", "due_at": "2020-01-01T10:00:00Z"},
    )
    assert r.status_code == 201
    commitment = r.json()
    assert commitment["overdue"] is True
    r = api.post(f"commitments/{commitment['id']}/resolve", {"status": "broken"})
    assert r.json()["status"] == "broken"
    assert (
        api.post(f"commitments/{commitment['id']}/resolve", {"status": "kept"}).status_code == 409
    )
    assert len(api.get(f"tickets/{a.pk}/commitments").json()) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"subject": ""},
        {"subject": "x" * 300, "requester_email": "a@b.org"},
        {"subject": "ok", "requester_email": "not-an-email"},
        {"subject": "ok", "requester_email": "a@b.org", "priority": "extreme"},
        {
            "subject": "ok",
            "requester_email": "a@b.org",
            "attachments": [{"filename": "a", "data_base64": "@@@"}],
        },
        {"subject": "ok"},
        {"subject": "ok", "requester_id": 999999},
        {"subject": "ok", "requester_email": "a@b.org", "tags": ["x" * 80]},
        {"subject": "ok", "requester_email": "a@b.org", "assignee_id": 999999},
        [],
        "text",
    ],
)
def test_bad_ticket_input_is_a_4xx_problem(api_as, body) -> None:
    api = api_as(UserFactory())
    r = api.post("tickets", body)
    assert 400 <= r.status_code < 500, r.content
    problem = r.json()
    assert problem["status"] == r.status_code
    assert problem["detail"]
    assert problem["code"]


def test_malformed_json_and_missing_token(api_as, anon_api) -> None:
    api = api_as(UserFactory())
    r = api.client.post(
        "/api/v1/tickets", data="{oops", content_type="application/json", **api.headers
    )
    assert r.status_code == 400
    assert r.json()["status"] == 400
    r = anon_api.get("tickets")
    assert r.status_code == 401
    assert r["WWW-Authenticate"] == "Bearer"


def test_openapi_schema_and_docs_are_served(anon_api) -> None:
    schema = anon_api.client.get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/tickets",
        "/api/v1/tickets/{ticket_id}/messages",
        "/api/v1/customers",
        "/api/v1/organizations",
        "/api/v1/purchases",
        "/api/v1/search",
        "/api/v1/tickets/{ticket_id}/events",
        "/api/v1/tickets/{ticket_id}/commitments",
    ):
        assert path in schema["paths"], path
    assert anon_api.client.get("/api/v1/docs").status_code == 200


def test_nul_characters_and_out_of_range_ids_never_cause_a_500(api_as) -> None:
    api = api_as(UserFactory())
    ticket = ticket_make()
    r = api.post(f"tickets/{ticket.pk}/messages", {"text": "nul\x00inside"})
    assert r.status_code == 201, r.content
    assert r.json()["text"] == "nulinside"
    r = api.post(
        "tickets", {"subject": "a\x00b", "text": "b\x00c", "requester_email": "n@example.org"}
    )
    assert r.status_code == 201, r.content
    assert r.json()["subject"] == "ab"
    huge = 2**70
    assert api.get(f"tickets/{huge}").status_code in (404, 422)
    assert api.post("tickets", {"subject": "x", "requester_id": huge}).status_code in (404, 422)
    assert api.get("tickets", assignee_id=huge).status_code in (200, 422)
