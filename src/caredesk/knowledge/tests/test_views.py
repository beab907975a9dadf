"""The help centre, the bot, the request form's suggestions and deflection, and the
agent screens."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from caredesk.accounts.enums import Role
from caredesk.accounts.factories import UserFactory
from caredesk.core.testing import signed_in
from caredesk.customers.factories import customer_user
from caredesk.knowledge.enums import Visibility
from caredesk.knowledge.errors import KnowledgeError
from caredesk.knowledge.factories import published
from caredesk.knowledge.kpis import article_figures, knowledge_figures
from caredesk.knowledge.learning import article_vectors_compute, question_model_train
from caredesk.knowledge.models import (
    Article,
    ArticleFeedback,
    ArticleImage,
    ArticleView,
    KbSearch,
)
from caredesk.knowledge.services import article_image_add
from caredesk.tickets.factories import ticket_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles() -> list[Article]:
    made = [
        published("Reset your password", external_id="pw",
                  questions=["I forgot my password", "how do I change my password",
                             "cannot sign in"]),
        published("Refunds", external_id="refund", body="Refunds take **5 days**.",
                  questions=["where is my refund", "when do I get my money back",
                             "refund not received"]),
        published("Delivery times", external_id="ship",
                  questions=["when will my parcel arrive", "how long is shipping",
                             "track my order"]),
    ]  # fmt: skip
    article_vectors_compute()
    question_model_train()
    return made


def test_an_article_page_has_a_canonical_slug_url_and_counts_views(articles: list[Article]) -> None:
    refund = articles[1]
    client = Client()
    wrong = client.get(f"/help/en/articles/{refund.pk}-old-title/")
    assert wrong.status_code == 301
    page = client.get(wrong["Location"]).content.decode()
    assert "<strong>5 days</strong>" in page
    assert 'rel="canonical"' in page
    assert Article.objects.get(pk=refund.pk).views == 1


def test_did_this_help_is_recorded_once_per_visitor(articles: list[Article]) -> None:
    client = Client()
    url = f"/help/feedback/{articles[0].pk}"
    client.post(url, {"helpful": "no", "comment": "Link expired"})
    client.post(url, {"helpful": "yes"})
    assert list(ArticleFeedback.objects.values_list("helpful", flat=True)) == [True]
    assert client.post(url, {"helpful": "maybe"}).status_code == 400


def test_the_bot_answers_when_sure_and_hands_over_otherwise(articles: list[Article]) -> None:
    client = Client()
    sure = client.post("/api/v1/kb/answer", json.dumps({"question": "I lost my password"}),
                       content_type="application/json").json()  # fmt: skip
    assert sure["handoff"] is False
    assert sure["answer"]["external_id"] == "pw"
    unsure = client.post("/api/v1/kb/answer", json.dumps({"question": "Is the moon cheese?"}),
                         content_type="application/json").json()  # fmt: skip
    assert unsure == {"answer": None, "handoff": True, "confidence": unsure["confidence"]}
    page = client.get("/help/en/ask", {"question": "Is the moon cheese?"}).content.decode()
    assert "/portal/new/?subject=Is%20the%20moon" in page


def test_empty_questions_are_a_clear_error(articles: list[Article]) -> None:
    response = Client().get("/api/v1/kb/search", {"q": "   "})
    assert response.status_code == 422
    assert response.json()["code"] == "empty_query"


def test_a_suggested_article_deflects_unless_the_request_is_submitted(
    articles: list[Article],
) -> None:
    first, second = signed_in(customer_user()), signed_in(customer_user())
    for client in (first, second):
        hits = client.get(
            "/help/suggest", {"subject": "my refund has not arrived"}
        ).content.decode()
        assert "Refunds" in hits
        client.get(f"/help/en/articles/{articles[1].pk}-refunds/?from=portal")
    second.post("/portal/new/", {"subject": "Refund", "description": "Still nothing."})

    now = timezone.now()
    figures = knowledge_figures(
        start=now - dt.timedelta(hours=1), end=now + dt.timedelta(seconds=1)
    )
    assert (figures.suggested_sessions, figures.deflected_sessions) == (2, 1)
    assert figures.deflection_rate == 0.5
    assert ArticleView.objects.filter(submitted=True).count() == 1
    (refunds,) = article_figures(
        start=now - dt.timedelta(hours=1), end=now + dt.timedelta(seconds=1)
    )
    assert (refunds.article_id, refunds.views) == (articles[1].pk, 2)
    assert (refunds.suggested_sessions, refunds.deflected_sessions) == (2, 1)


def test_the_manager_dashboard_shows_self_service_per_article(articles: list[Article]) -> None:
    reader = Client()
    reader.get(f"/help/en/articles/{articles[0].pk}-reset-your-password/")
    reader.post(f"/help/feedback/{articles[0].pk}", {"helpful": "yes"})
    reader.get("/help/en/search", {"q": "zzzz qqqq"})
    today = timezone.localdate().isoformat()
    page = (
        signed_in(UserFactory(role=Role.SUPERVISOR))
        .get("/dashboard/manager/", {"from": today, "to": today})
        .content.decode()
    )
    section = page[page.index("Self-service: the help centre") :]
    assert f'href="/knowledge/{articles[0].pk}/">Reset your password</a>' in section
    assert "100 % (1)" in section  # helpful: one vote, yes
    assert "zzzz qqqq" in section
    assert "Refunds" not in section  # not read in the period


def test_searches_without_a_result_are_listed_to_write_articles_for(
    articles: list[Article],
) -> None:
    Client().get("/help/en/search", {"q": "zzzz qqqq"})
    assert KbSearch.objects.filter(results=0, query="zzzz qqqq").exists()
    page = signed_in(UserFactory()).get("/knowledge/").content.decode()
    assert "zzzz qqqq" in page


def test_agents_write_review_publish_and_restore(articles: list[Article]) -> None:
    author, reviewer = signed_in(UserFactory()), signed_in(UserFactory())
    response = author.post("/knowledge/new/", {
        "title": "Gift cards", "body": "Valid for a year.", "questions": "do gift cards expire",
        "keywords": "gift, card", "category": "Billing / Gift cards", "locale": "en",
        "visibility": "public",
    })  # fmt: skip
    article = Article.objects.get(title="Gift cards")
    assert response.url == f"/knowledge/{article.pk}/"
    author.post(f"/knowledge/{article.pk}/status", {"status": "published"})
    assert Article.objects.get(pk=article.pk).status == "draft"  # not by its author
    reviewer.post(f"/knowledge/{article.pk}/status", {"status": "published"})
    assert Article.objects.get(pk=article.pk).status == "published"
    author.post(f"/knowledge/{article.pk}/", {
        "title": "Gift cards", "body": "Valid for two years.", "questions": "do gift cards expire",
        "keywords": "gift", "category": "Billing / Gift cards", "locale": "en",
        "visibility": "public",
    })  # fmt: skip
    diff = author.get(f"/knowledge/{article.pk}/versions/2/").content.decode()
    assert "-Valid for a year." in diff
    assert "+Valid for two years." in diff
    author.post(f"/knowledge/{article.pk}/versions/1/restore")
    assert Article.objects.get(pk=article.pk).body == "Valid for a year."


def test_customers_cannot_open_the_agent_screens(articles: list[Article]) -> None:
    assert signed_in(customer_user()).get("/knowledge/").status_code == 403
    assert Client().get("/knowledge/").status_code == 302


def test_agents_see_articles_the_requester_may_read_on_a_ticket(articles: list[Article]) -> None:
    published(
        "Refund approvals (internal)",
        visibility=Visibility.INTERNAL,
        questions=["where is my refund", "refund not received"],
    )
    article_vectors_compute()
    question_model_train()
    ticket = ticket_make(subject="Where is my refund?", text="It has not arrived.")
    page = signed_in(UserFactory()).get(f"/knowledge/for-ticket/{ticket.pk}").content.decode()
    assert "Refunds" in page
    assert f"/help/en/articles/{articles[1].pk}-refunds/" in page
    assert "internal" not in page
    assert signed_in(customer_user()).get(f"/knowledge/for-ticket/{ticket.pk}").status_code == 403


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def test_agents_add_images_that_readers_of_the_article_see(articles: list[Article]) -> None:
    agent = signed_in(UserFactory())
    refunds = articles[1]
    upload = SimpleUploadedFile("refund form.png", _png(), content_type="image/png")
    agent.post(f"/knowledge/{refunds.pk}/images", {"image": upload})
    image = ArticleImage.objects.get()
    assert (image.article_id, image.content_type) == (refunds.pk, "image/png")
    page = agent.get(f"/knowledge/{refunds.pk}/").content.decode()
    assert f'data-insert-text="![refund form](/help/images/{image.pk})"' in page

    agent.post(f"/knowledge/{refunds.pk}/", {
        "title": "Refunds", "body": f"Fill in ![refund form](/help/images/{image.pk}).",
        "locale": "en", "visibility": "public",
    })  # fmt: skip
    public = Client().get(f"/help/en/articles/{refunds.pk}-refunds/").content.decode()
    assert f'src="/help/images/{image.pk}"' in public
    served = Client().get(f"/help/images/{image.pk}")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served.content == _png()


def test_an_image_of_an_internal_article_is_not_served_to_customers(
    articles: list[Article],
) -> None:
    secret = published("Runbook", visibility=Visibility.INTERNAL)
    image = article_image_add(
        article=secret, filename="console.png", data=_png(), actor=UserFactory()
    )
    assert Client().get(f"/help/images/{image.pk}").status_code == 404
    assert signed_in(customer_user()).get(f"/help/images/{image.pk}").status_code == 404
    assert signed_in(UserFactory()).get(f"/help/images/{image.pk}").status_code == 200


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("fake.png", b"\x89PNG\r\n\x1a\n but not really"),
        ("empty.png", b""),
    ],
)
def test_what_is_not_an_image_is_refused_and_nothing_stored(
    articles: list[Article], name: str, data: bytes
) -> None:
    with pytest.raises(KnowledgeError) as refused:
        article_image_add(article=articles[0], filename=name, data=data, actor=UserFactory())
    assert refused.value.code == "invalid_image"
    agent = signed_in(UserFactory())
    upload = SimpleUploadedFile(name, data, content_type="image/png")
    response = agent.post(f"/knowledge/{articles[0].pk}/images", {"image": upload}, follow=True)
    assert response.status_code == 200
    assert not ArticleImage.objects.exists()


def test_customers_cannot_add_images(articles: list[Article]) -> None:
    upload = SimpleUploadedFile("x.png", _png(), content_type="image/png")
    response = signed_in(customer_user()).post(
        f"/knowledge/{articles[0].pk}/images", {"image": upload}
    )
    assert response.status_code in (302, 403)
    assert not ArticleImage.objects.exists()


def test_related_articles_are_set_by_number_and_shown_where_readers_may_see_them(
    articles: list[Article],
) -> None:
    agent = signed_in(UserFactory())
    secret = published("Refund fraud checks", visibility=Visibility.INTERNAL)
    fields = {"title": "Refunds", "body": "Refunds take 5 days.", "locale": "en",
              "visibility": "public"}  # fmt: skip
    refused = agent.post(f"/knowledge/{articles[1].pk}/", {**fields, "related": "9999, x"})
    assert "Give article numbers" in refused.content.decode()
    refused = agent.post(f"/knowledge/{articles[1].pk}/", {**fields, "related": "9999"})
    assert "There is no article 9999." in refused.content.decode()
    agent.post(
        f"/knowledge/{articles[1].pk}/",
        {**fields, "related": f"{articles[2].pk}, #{secret.pk}"},
    )
    assert set(articles[1].related.all()) == {articles[2], secret}
    public = Client().get(f"/help/en/articles/{articles[1].pk}-refunds/").content.decode()
    assert "Delivery times" in public
    assert "Refund fraud checks" not in public  # related, but internal
