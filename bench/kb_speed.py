"""Knowledge-base speed at 10,000 articles: how long their sentence vectors and the
question model take to build, and search and answer latency (p50/p95/p99, SQL queries
per call, peak memory), through kb_search and kb_answer as the help centre, the API
and the bot call them, on a fresh database.

    python bench/kb_speed.py                      # SQLite, 10,000 articles
    python bench/kb_speed.py --db postgres --articles 10000 --queries 500
Prints JSON. The articles are generated (products x topics x wordings), not read from
any data set."""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time

PRODUCTS = ["router", "phone", "laptop", "printer", "tablet", "camera", "watch", "speaker",
            "monitor", "keyboard", "headset", "charger", "drone", "scanner", "console", "tv",
            "modem", "projector", "thermostat", "doorbell"]  # fmt: skip
TOPICS = [
    ("reset the {p} to factory settings", ["how do I factory reset my {p}", "wipe my {p}"]),
    ("update the {p} firmware", ["my {p} needs an update", "install new software on the {p}"]),
    ("return a {p}", ["I want to send my {p} back", "how do returns of a {p} work"]),
    ("the {p} does not turn on", ["{p} is dead", "my {p} won't power up"]),
    ("connect the {p} to wifi", ["{p} cannot find my network", "wireless setup for {p}"]),
    ("warranty of the {p}", ["is my {p} still covered", "how long is the {p} guarantee"]),
    ("the {p} battery drains fast", ["{p} battery life is short", "{p} loses charge quickly"]),
    ("clean the {p}", ["how to wipe dust off the {p}", "{p} cleaning tips"]),
    ("pair the {p} over bluetooth", ["{p} will not pair", "bluetooth setup of the {p}"]),
    ("the {p} is overheating", ["my {p} gets very hot", "{p} too warm to touch"]),
]
VARIANTS = ["model A", "model B", "pro", "mini", "2024", "2025", "plus", "lite", "max", "air",
            "classic", "go", "one", "neo", "ultra", "edge", "x", "s", "home", "studio",
            "travel", "kids", "business", "outdoor", "compact", "eco", "smart", "prime",
            "flex", "duo", "core", "nova", "zen", "volt", "arc", "beam", "pulse", "wave",
            "spark", "aura", "orbit", "terra", "sol", "luna", "vista", "quad", "hex", "alpha",
            "delta"]  # fmt: skip
FILLER_TEXT = (
    "Follow these steps carefully. Open the settings menu, choose the option shown below "
    "and wait until the light turns green. If it does not, contact us with the serial "
    "number from the label on the back."
)
FILLER = FILLER_TEXT.split()


def articles(n: int, seed: int) -> list[dict[str, object]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        product = PRODUCTS[i % len(PRODUCTS)]
        topic, questions = TOPICS[(i // len(PRODUCTS)) % len(TOPICS)]
        variant = VARIANTS[(i // (len(PRODUCTS) * len(TOPICS))) % len(VARIANTS)]
        name = f"{product} {variant}"
        body = " ".join(rng.sample(FILLER, len(FILLER)) + rng.sample(FILLER, 20))
        out.append({
            "kind": "article", "external_id": f"a{i}", "status": "published",
            "title": topic.format(p=name).capitalize(),
            "body": f"How to {topic.format(p=name)}. {body}",
            "questions": [q.format(p=name) for q in questions] + [f"{name} {topic.split()[-1]}"],
        })  # fmt: skip
    return out


def percentiles(samples: list[float]) -> dict[str, float]:
    s = sorted(samples)
    pick = lambda q: round(s[min(len(s) - 1, int(q * len(s)))] * 1000, 2)  # noqa: E731
    return {"p50_ms": pick(0.50), "p95_ms": pick(0.95), "p99_ms": pick(0.99),
            "mean_ms": round(statistics.fmean(s) * 1000, 2)}  # fmt: skip


def child(n: int, queries: int, seed: int) -> dict[str, object]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from caredesk.knowledge.embedding import encoder
    from caredesk.knowledge.learning import article_vectors_compute, question_model_train
    from caredesk.knowledge.search import kb_answer, kb_search
    from caredesk.knowledge.transfer import kb_import

    call_command("migrate", verbosity=0)
    made = articles(n, seed)
    started = time.perf_counter()
    report = kb_import(json.dumps(a) for a in made)
    assert not report.errors, report.errors[:3]
    imported = time.perf_counter() - started
    if connection.vendor == "postgresql":
        # what autovacuum does after a bulk load (PostgreSQL 13 and later vacuum after
        # inserts too): statistics, and the full-text index's pending entries merged,
        # which a search otherwise reads one by one
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    encoder()  # loaded once per process, as a server does
    started = time.perf_counter()
    computed = article_vectors_compute()
    vectors_seconds = time.perf_counter() - started
    started = time.perf_counter()
    model = question_model_train(force=True)
    model_seconds = time.perf_counter() - started
    rng = random.Random(seed + 1)
    asked = []
    for _ in range(queries):
        a = rng.choice(made)
        words = str(rng.choice(a["questions"])).split()  # type: ignore[arg-type]
        rng.shuffle(words)
        asked.append(" ".join(words))
    kb_search(q="warm up", log=False)  # the first call reads the index into memory
    search_times, answer_times, search_queries, answer_queries = [], [], [], []
    for q in asked:
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            kb_search(q=q, limit=10)
            search_times.append(time.perf_counter() - t)
        search_queries.append(len(ctx.captured_queries))
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            kb_answer(question=q)
            answer_times.append(time.perf_counter() - t)
        answer_queries.append(len(ctx.captured_queries))
    return {
        "articles": n, "vectors": sum(1 + len(a["questions"]) for a in made),  # type: ignore[arg-type]
        "seconds_import": round(imported, 1),
        "seconds_vectors": round(vectors_seconds, 1), "articles_vectorised": computed,
        "seconds_model": round(model_seconds, 1),
        "model": None if model is None else {"articles": model.articles,
                                             "cv_accuracy": round(model.cv_accuracy, 4)},
        "search": {**percentiles(search_times), "queries": len(asked),
                   "sql_per_call": statistics.median(search_queries),
                   "sql_per_call_max": max(search_queries),
                   "per_second": round(len(asked) / sum(search_times), 1)},
        "answer": {**percentiles(answer_times), "sql_per_call": statistics.median(answer_queries),
                   "sql_per_call_max": max(answer_queries)},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--queries", type=int, default=500)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.articles, args.queries, args.seed)))
        return
    env = dict(os.environ, CAREDESK_DATA_DIR=tempfile.mkdtemp(prefix="caredesk-kb-speed-"),
               DEBUG="false", SECRET_KEY="bench-secret-key-not-for-production",  # noqa: S106
               DJANGO_SETTINGS_MODULE="caredesk.config.settings")  # fmt: skip
    env.pop("REDIS_URL", None)
    env.pop("DATABASE_URL", None)
    if args.db == "postgres":
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute('DROP DATABASE IF EXISTS "caredesk_kb_speed"')
            c.execute('CREATE DATABASE "caredesk_kb_speed"')
        env["DATABASE_URL"] = "postgresql://postgres@127.0.0.1:5432/caredesk_kb_speed"
    out = subprocess.run([sys.executable, __file__, "--child", "--articles", str(args.articles),
                          "--queries", str(args.queries), "--seed", str(args.seed)],
                         env=env, check=True, capture_output=True, text=True)  # fmt: skip
    result = json.loads(out.stdout.strip().splitlines()[-1])
    targets = {"search_p95_ms": 30, "answer_p95_ms": 50, "vectors_seconds": 300}
    print(json.dumps({"db": args.db, "targets": targets, **result}, indent=2))


if __name__ == "__main__":
    main()
