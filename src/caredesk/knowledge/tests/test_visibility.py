"""Nothing internal or unpublished reaches a customer or an anonymous visitor, on any
surface: help centre pages, search as you type, request-form suggestions, the bot,
the sitemap, the API and the CLI."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client

from caredesk.accounts.factories import UserFactory
from caredesk.cli import main
from caredesk.core.testing import signed_in
from caredesk.customers.factories import customer_user
from caredesk.knowledge.enums import Visibility
from caredesk.knowledge.factories import published
from caredesk.knowledge.learning import article_vectors_compute, question_model_train
from caredesk.knowledge.services import ArticleFields, article_create

pytestmark = pytest.mark.django_db

SECRET = "Escalation runbook"
QUESTION = "how do I reset my password"


@pytest.fixture
def kb() -> dict[str, Any]:
    """The same question answered by a public, a customers-only, an internal and a
    draft article; and one more public article so the model has classes to learn."""
    articles = {
        "public": published("Reset your password", questions=[QUESTION, "forgot password"],
                            external_id="pub"),
        "customers": published("Password rules for customers", visibility=Visibility.CUSTOMERS,
                               questions=["password rules", QUESTION], external_id="cust"),
        "internal": published(SECRET, visibility=Visibility.INTERNAL,
                              questions=[QUESTION, "reset a password for a customer"],
                              body="Internal only: the admin console.", external_id="int"),
        "other": published("Refunds", questions=["where is my refund", "money back"],
                           external_id="ref"),
        "draft": article_create(fields=ArticleFields(title="Draft password article",
                                                     questions=[QUESTION]), author=None),
    }  # fmt: skip
    article_vectors_compute()
    question_model_train()
    return articles


def _pages(client: Client, kb: dict[str, Any]) -> str:
    """Every help-centre surface for this client, as one text."""
    ids = {name: a.pk for name, a in kb.items()}
    parts = [
        client.get("/help/en/").content.decode(),
        client.get("/help/en/search", {"q": QUESTION}).content.decode(),
        client.get("/help/en/search", {"q": QUESTION}, HTTP_HX_REQUEST="true").content.decode(),
        client.get("/help/suggest", {"subject": QUESTION}).content.decode(),
        client.get("/help/en/ask", {"question": QUESTION}).content.decode(),
        client.get("/help/sitemap.xml").content.decode(),
        json.dumps(client.get("/api/v1/kb/search", {"q": QUESTION}).json()),
        json.dumps(client.post("/api/v1/kb/answer", json.dumps({"question": QUESTION}),
                               content_type="application/json").json()),
    ]  # fmt: skip
    for name in ("internal", "draft"):
        response = client.get(f"/help/en/articles/{ids[name]}-x/")
        parts.append(str(response.status_code))
    return "\n".join(parts)


def test_anonymous_visitors_see_public_articles_only(kb: dict[str, Any]) -> None:
    text = _pages(Client(), kb)
    assert "Reset your password" in text
    for hidden in (SECRET, "Password rules for customers", "Draft password article",
                   "admin console", '"int"', '"cust"'):  # fmt: skip
        assert hidden not in text
    assert text.endswith("404\n404")


def test_customers_see_customer_articles_but_nothing_internal(kb: dict[str, Any]) -> None:
    text = _pages(signed_in(customer_user()), kb)
    assert "Password rules for customers" in text
    for hidden in (SECRET, "Draft password article", "admin console", '"int"'):
        assert hidden not in text
    assert text.endswith("404\n404")


def test_staff_find_internal_articles(kb: dict[str, Any]) -> None:
    client = signed_in(UserFactory())
    found = client.get("/help/en/search", {"q": "reset a password for a customer"})
    assert SECRET in found.content.decode()
    assert client.get(f"/help/en/articles/{kb['internal'].pk}-x/", follow=True).status_code == 200
    assert SECRET not in Client().get("/help/sitemap.xml").content.decode()


def test_the_api_with_a_customer_token_hides_internal_articles(kb: dict[str, Any],
                                                               api_as: Any) -> None:  # fmt: skip
    rows = api_as(customer_user()).get("kb/search", q=QUESTION).json()
    assert {r["external_id"] for r in rows} >= {"pub", "cust"}
    assert "int" not in {r["external_id"] for r in rows}
    staff_rows = api_as(UserFactory()).get("kb/search", q=QUESTION).json()
    assert "int" in {r["external_id"] for r in staff_rows}


def test_the_cli_searches_as_whom_it_is_told(kb: dict[str, Any]) -> None:
    runner = CliRunner()
    anonymous = runner.invoke(main, ["kb", "search", QUESTION, "--json"])
    assert anonymous.exit_code == 0, anonymous.output
    assert "int" not in {r["external_id"] for r in json.loads(anonymous.output)}
    agent = runner.invoke(main, ["kb", "search", QUESTION, "--as", "agent", "--json"])
    assert "int" in {r["external_id"] for r in json.loads(agent.output)}
