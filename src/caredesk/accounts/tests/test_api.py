import pytest

from caredesk.accounts.factories import TeamFactory, UserFactory
from caredesk.customers.factories import customer_user

pytestmark = pytest.mark.django_db


def test_me_teams_agents_and_tokens(api_as, anon_api) -> None:
    agent = UserFactory(email="me@example.org")
    team = TeamFactory(name="Support")
    team.members.add(agent)
    api = api_as(agent)
    me = api.get("me").json()
    assert (me["email"], me["role"], me["teams"]) == ("me@example.org", "agent", ["Support"])
    assert api.get("teams").json() == [{"id": team.pk, "name": "Support", "member_ids": [agent.pk]}]
    assert [a["email"] for a in api.get("agents").json()] == ["me@example.org"]
    created = api.post("tokens", {"name": "ci"})
    assert created.status_code == 201
    fresh = created.json()
    assert fresh["token"].startswith("cdk_")
    listed = api.get("tokens").json()
    assert {t["name"] for t in listed} == {"", "ci"}
    assert all("token" not in t and "key_hash" not in t for t in listed)
    other = type(api)(fresh["token"])
    assert other.get("me").status_code == 200
    assert api.delete(f"tokens/{fresh['id']}").status_code == 204
    assert other.get("me").status_code == 401


def test_customers_see_themselves_but_not_staff_lists(api_as) -> None:
    user = customer_user(email="cust@example.org")
    api = api_as(user)
    assert api.get("me").json()["customer_id"] == user.customer_id
    assert api.get("teams").status_code == 403
    assert api.get("agents").status_code == 403


def test_a_user_cannot_revoke_another_users_token(api_as) -> None:
    mine, theirs = api_as(UserFactory()), api_as(UserFactory())
    their_id = theirs.post("tokens", {"name": "x"}).json()["id"]
    assert mine.delete(f"tokens/{their_id}").status_code == 404
