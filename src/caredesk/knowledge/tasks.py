"""The knowledge base's job: publish what is due, compute vectors, retrain the model."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def knowledge_due_task() -> dict[str, int]:
    """Safe to run twice: each step looks at what the database says is due."""
    from caredesk.knowledge.learning import article_vectors_compute, question_model_train
    from caredesk.knowledge.services import articles_publish_due

    published = articles_publish_due()
    computed = article_vectors_compute()
    row = question_model_train()
    return {"published": published, "vectors": computed, "model": row.pk if row else 0}
