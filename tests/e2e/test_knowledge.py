"""The journeys of issue 17, each in a real browser: a customer finds an answer as she
types and does not submit; another asks the bot, is handed over and submits. Nothing
internal reaches either of them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from caredesk.customers.factories import customer_user
from caredesk.knowledge.enums import ViewSource, Visibility
from caredesk.knowledge.factories import published
from caredesk.knowledge.kpis import knowledge_figures
from caredesk.knowledge.learning import article_vectors_compute, question_model_train
from caredesk.knowledge.models import ArticleFeedback, ArticleView, KbSearch
from caredesk.tickets.models import Ticket
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

INTERNAL = "Escalating password resets to engineering"


@pytest.fixture
def help_centre() -> None:
    published(
        "Reset your password",
        external_id="pw",
        body="Open **Sign in** and choose "
        "*Forgot password*. The link we send is valid for an hour.",
        questions=[
            "I forgot my password",
            "how do I change my password",
            "cannot sign in",
            "password reset link",
        ],
    )
    published(
        "Refunds",
        external_id="refund",
        body="Refunds take 5 days.",
        questions=[
            "where is my refund",
            "when do I get my money back",
            "refund not received",
            "how long does a refund take",
        ],
    )
    published(
        "Delivery times",
        external_id="ship",
        body="Parcels arrive in 2 days.",
        questions=[
            "when will my parcel arrive",
            "how long is shipping",
            "track my order",
            "where is my parcel",
        ],
    )
    published(INTERNAL, external_id="internal-pw", visibility=Visibility.INTERNAL,
              questions=["I forgot my password", "password reset link broken",
                         "customer cannot sign in"])  # fmt: skip
    article_vectors_compute()
    question_model_train()


def _figures() -> Any:
    now = timezone.now()
    return knowledge_figures(start=now - dt.timedelta(hours=1), end=now + dt.timedelta(minutes=1))


def test_a_customer_finds_an_answer_while_typing_and_does_not_submit(
    new_page: Any, help_centre: None
) -> None:
    customer_user(email="fay@example.org", first_name="Fay")
    page = new_page()
    sign_in(page, "fay@example.org")
    page.goto("/portal/new/")
    page.get_by_label("Subject").fill("I forgot my password")
    suggestions = page.get_by_role("complementary", name="Articles that may answer your question")
    suggestions.get_by_role("link", name="Reset your password").wait_for()
    assert INTERNAL not in suggestions.inner_text()

    with page.context.expect_page() as opened:  # the suggestion opens beside the form
        suggestions.get_by_role("link", name="Reset your password").click()
    article = opened.value
    article.wait_for_load_state()
    article.get_by_role("heading", name="Reset your password").wait_for()
    assert "valid for an hour" in article.inner_text("main")
    article.get_by_role("button", name="Yes").click()
    article.get_by_text("Thank you. We are glad it helped.").wait_for()
    article.close()
    page.goto("/portal/")  # she leaves the form: her question was answered

    assert not Ticket.objects.exists()
    assert ArticleFeedback.objects.get().helpful is True
    figures = _figures()
    assert (figures.suggested_sessions, figures.deflected_sessions) == (1, 1)
    assert figures.deflection_rate == 1.0


def test_b_the_bot_answers_then_hands_over_and_the_customer_submits(
    new_page: Any, help_centre: None
) -> None:
    customer_user(email="gus@example.org", first_name="Gus")
    page = new_page(390, 844)  # a phone
    sign_in(page, "gus@example.org")
    page.goto("/help/en/")
    page.get_by_label("Search the help centre").fill("money back")  # search as you type
    page.locator("#help-live").get_by_role("link", name="Refunds").wait_for()
    assert INTERNAL not in page.locator("#help-live").inner_text()

    page.goto("/help/en/ask")
    page.get_by_label("Ask us anything").fill("how long does it take to get my refund")
    page.get_by_role("button", name="Ask").click()
    answer = page.locator("#help-answer")
    answer.get_by_role("link", name="Refunds").wait_for()  # sure enough: it answers

    question = "My invoice lists the wrong VAT number"
    page.get_by_label("Ask us anything").fill(question)
    page.get_by_role("button", name="Ask").click()
    answer.get_by_text("We could not find an answer to that.").wait_for()
    answer.get_by_role("button", name="Submit a request").click()  # handed over to a person
    page.wait_for_url("**/portal/new/**")
    assert page.get_by_label("Subject").input_value() == question
    page.get_by_label("Description").fill("It should be DE123456789.")
    page.get_by_role("button", name="Submit request").click()
    page.get_by_text("We received your request").wait_for()

    ticket = Ticket.objects.get()
    assert ticket.subject == question
    assert ticket.requester.name.startswith("Gus")
    bot = KbSearch.objects.filter(source=ViewSource.BOT).order_by("id")
    assert list(bot.values_list("results", flat=True)) == [1, 0]  # answered, then handed off
    assert not ArticleView.objects.filter(article__external_id="internal-pw").exists()
