"""Knowledge-base answers measured on public intent data: BANKING77 and CLINC150 as a
help centre (one article per intent, its training utterances as the article's
"questions this answers"), queried with the test splits through caredesk's own path
(kb import, the learning job, kb_search / kb_answer), beside a word + character TF-IDF
linear SVM trained on the same training split in the same run.

For CLINC150 the bot's threshold is chosen on the organisation's data as caredesk
chooses it: the articles' questions (cross-validated) and past tickets solved without an
article, for which the 100 out-of-scope *training* queries stand in. The test split is
never used to choose anything.

    python bench/kb_eval.py --data ../shared/datasets          # both
    python bench/kb_eval.py --data ../shared/datasets --sets banking77
Prints JSON. Reads the data from --data only; nothing of it is stored in the project.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path


def load(data: Path, name: str) -> dict[str, list[tuple[str, str]]]:
    if name == "banking77":
        out = {}
        for split in ("train", "test"):
            with (data / "banking77" / f"{split}.csv").open(encoding="utf-8") as f:
                out[split] = [(r["text"], r["category"]) for r in csv.DictReader(f)]
        return out
    raw = json.loads((data / "clinc150" / "data_full.json").read_text(encoding="utf-8"))
    return {"train": [tuple(x) for x in raw["train"]], "test": [tuple(x) for x in raw["test"]],
            "oos_train": [tuple(x) for x in raw["oos_train"]],
            "oos_test": [tuple(x) for x in raw["oos_test"]]}  # fmt: skip


def tfidf_baseline(train: list[tuple[str, str]], test: list[tuple[str, str]]) -> float:
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    texts = [t for t, _ in train]
    x = hstack([words.fit_transform(texts), chars.fit_transform(texts)])
    xt = hstack([words.transform([t for t, _ in test]), chars.transform([t for t, _ in test])])
    svm = LinearSVC(C=0.5).fit(x.tocsr(), [y for _, y in train])
    return float((svm.predict(xt.tocsr()) == [y for _, y in test]).mean())


def run(name: str, sets: dict[str, list[tuple[str, str]]]) -> dict[str, object]:
    from django.core.management import call_command

    from caredesk.customers.services import customer_get_or_create_by_email
    from caredesk.knowledge.learning import article_vectors_compute, question_model_train
    from caredesk.knowledge.models import Article
    from caredesk.knowledge.search import kb_answer, kb_search
    from caredesk.knowledge.transfer import kb_import
    from caredesk.tickets.enums import TicketStatus
    from caredesk.tickets.models import Ticket
    from caredesk.tickets.services import ticket_create

    call_command("migrate", verbosity=0)
    intents: dict[str, list[str]] = {}
    for text, intent in sets["train"]:
        intents.setdefault(intent, []).append(text)
    lines = [json.dumps({"kind": "article", "external_id": intent,
                         "title": intent.replace("_", " ").capitalize(),
                         "body": f"How we help with {intent.replace('_', ' ')}.",
                         "status": "published", "questions": questions})
             for intent, questions in intents.items()]  # fmt: skip
    started = time.perf_counter()
    report = kb_import(lines)
    assert not report.errors, report.errors
    if "oos_train" in sets:  # the organisation's past: asked, and no article answered it
        someone = customer_get_or_create_by_email(email="history@example.com")
        for text, _ in sets["oos_train"]:
            ticket = ticket_create(requester=someone, subject=text[:250], text=text)
            Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.SOLVED)
    imported = time.perf_counter() - started
    article_vectors_compute()
    vectors_seconds = time.perf_counter() - started - imported
    model = question_model_train(force=True)
    trained_seconds = time.perf_counter() - started - imported - vectors_seconds
    ids = dict(Article.objects.values_list("id", "external_id"))
    top1 = top3 = answered_right = answered_wrong = 0
    test = sets["test"]
    for text, intent in test:
        hits = kb_search(q=text, limit=3, log=False)
        found = [ids[h.article.pk] for h in hits]
        top1 += bool(found) and found[0] == intent
        top3 += intent in found
        answer = kb_answer(question=text)
        if answer.article is not None:
            if answer.article.external_id == intent:
                answered_right += 1
            else:
                answered_wrong += 1
    result: dict[str, object] = {
        "articles": len(intents), "questions": sum(len(q) for q in intents.values()),
        "test_queries": len(test),
        "top1": round(top1 / len(test), 4), "top3": round(top3 / len(test), 4),
        "bot_in_scope_answered_right": round(answered_right / len(test), 4),
        "bot_in_scope_answered_wrong": round(answered_wrong / len(test), 4),
        "bot_threshold": model.threshold if model else None,
        "model_cv_accuracy_on_train": round(model.cv_accuracy, 4) if model else None,
        "seconds_import": round(imported, 1), "seconds_vectors": round(vectors_seconds, 1),
        "seconds_model": round(trained_seconds, 1),
        "baseline_tfidf_svm_top1": round(tfidf_baseline(sets["train"], test), 4),
    }  # fmt: skip
    if "oos_test" in sets:
        handed = sum(kb_answer(question=text).handoff for text, _ in sets["oos_test"])
        result["out_of_scope_queries"] = len(sets["oos_test"])
        result["out_of_scope_handed_off"] = round(handed / len(sets["oos_test"]), 4)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--data", default="../shared/datasets")
    ap.add_argument("--sets", nargs="+", choices=["banking77", "clinc150"],
                    default=["banking77", "clinc150"])  # fmt: skip
    ap.add_argument("--one", help=argparse.SUPPRESS)  # the child: one set, one database
    args = ap.parse_args()
    data = Path(args.data)
    if not (data / "banking77").is_dir():
        sys.exit(f"No data sets in {data} (see ../shared/datasets/README.md).")
    if args.one:
        import django

        django.setup()
        result = run(args.one, load(data, args.one))
        result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        print(json.dumps(result))
        return
    import subprocess

    report: dict[str, object] = {"targets": {"banking77_top1": 0.90, "clinc150_in_scope_top1": 0.93,
                                             "clinc150_out_of_scope_handed_off": 0.40}}  # fmt: skip
    for name in args.sets:
        workdir = tempfile.mkdtemp(prefix=f"caredesk-kb-{name}-")
        env = dict(os.environ, CAREDESK_DATA_DIR=workdir, DEBUG="false",
                   SECRET_KEY="bench-secret-key-not-for-production",  # noqa: S106
                   DJANGO_SETTINGS_MODULE="caredesk.config.settings")  # fmt: skip
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
        out = subprocess.run([sys.executable, __file__, "--data", str(data), "--one", name],
                             env=env, check=True, capture_output=True, text=True)  # fmt: skip
        report[name] = json.loads(out.stdout.strip().splitlines()[-1])
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
