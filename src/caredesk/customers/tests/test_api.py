import pytest

from caredesk.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_customers_organizations_purchases_and_segments(api_as) -> None:
    api = api_as(UserFactory())
    org = api.post(
        "organizations", {"name": "Acme", "kind": "external", "domains": ["ACME.example"]}
    )
    assert org.status_code == 201, org.content
    org_id = org.json()["id"]
    assert org.json()["domains"] == ["acme.example"]
    c = api.post(
        "customers",
        {
            "name": "Kim Lee",
            "emails": ["kim@acme.example"],
            "phones": ["+1 555 0100"],
            "custom_fields": {"plan": "pro"},
        },
    )
    assert c.status_code == 201, c.content
    customer = c.json()
    assert customer["organization"]["id"] == org_id
    assert customer["lifecycle"] == "potential"
    dup = api.post("customers", {"name": "Other", "emails": ["KIM@acme.example"]})
    assert dup.status_code == 409
    assert dup.json()["code"] == "contact_taken"
    p = api.post(
        "purchases",
        {
            "customer_id": customer["id"],
            "amount": "49.90",
            "product": "Pro plan",
            "purchased_at": "2026-11-01T10:00:00Z",
        },
    )
    assert p.status_code == 201, p.content
    naive = api.post(
        "purchases",
        {
            "customer_id": customer["id"],
            "amount": "1",
            "product": "x",
            "purchased_at": "2026-11-01T10:00:00",
        },
    )
    assert naive.status_code == 422
    fresh = api.get(f"customers/{customer['id']}").json()
    assert fresh["lifecycle"] == "existing"
    assert fresh["lifetime_value"] == "49.90"
    assert (
        api.get("purchases", customer_id=customer["id"]).json()["items"][0]["product"] == "Pro plan"
    )
    seg = api.post(
        "segments",
        {"name": "Pro", "rules": {"custom_fields": {"plan": "pro"}, "lifecycle": ["existing"]}},
    )
    assert seg.status_code == 201, seg.content
    members = api.get("customers", segment_id=seg.json()["id"]).json()["items"]
    assert [m["id"] for m in members] == [customer["id"]]
    assert api.get("customers", lifecycle="former").json()["items"] == []
    assert api.get("customers", email="kim@acme.example").json()["items"][0]["name"] == "Kim Lee"
    patched = api.patch(
        f"customers/{customer['id']}", {"name": "Kim Park", "emails": ["kim.park@acme.example"]}
    )
    assert patched.status_code == 200
    assert len([x for x in patched.json()["contacts"] if x["kind"] == "email"]) == 2
    note = api.post(f"customers/{customer['id']}/notes", {"text": "Prefers email"})
    assert note.status_code == 201
    timeline = api.get(f"customers/{customer['id']}/timeline").json()["items"]
    assert [i["kind"] for i in timeline] == ["note", "purchase"]
    assert api.get(f"organizations/{org_id}").json()["name"] == "Acme"
    assert (
        api.patch(f"organizations/{org_id}", {"shared_tickets": True}).json()["shared_tickets"]
        is True
    )


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("customers", {"emails": ["nope"]}),
        ("customers", {"phones": ["abc"]}),
        ("customers", {"organization_id": 424242}),
        ("organizations", {"name": ""}),
        ("organizations", {"name": "x", "kind": "alien"}),
        (
            "purchases",
            {
                "customer_id": 1,
                "amount": "-5",
                "product": "x",
                "purchased_at": "2026-01-01T00:00:00Z",
            },
        ),
        ("segments", {"name": "s", "rules": {"lifecycle": "existing"}}),
    ],
)
def test_bad_customer_input_is_a_4xx_problem(api_as, path, body) -> None:
    r = api_as(UserFactory()).post(path, body)
    assert 400 <= r.status_code < 500, r.content
    assert r.json()["detail"]
