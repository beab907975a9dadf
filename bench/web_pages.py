"""Web benchmark: the agent's server-rendered pages at a million tickets.

    python bench/web_pages.py --tickets 1000000 --customers 100000 --db sqlite
    python bench/web_pages.py --tickets 1000000 --customers 100000 --db postgres --reuse

The same steps as api_load.py (whose helpers it uses): a seeded database (`--reuse`
takes the one api_load.py seeded), SQL queries per page counted in-process, then
`caredesk serve --workers 2` loaded page by page from wrk through the shared harness,
signed in through the sign-in form like a person. Pages: the inbox (all open, unassigned,
the agent's teams; 50 rows with counts per view), the ticket view of tickets with ten
messages, customer 360 of the customers with the most tickets, and the search page.
Prints one JSON object; writes bench/results/web-<db>-<tickets>.json.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import api_load as common  # the API benchmark's seeding, serving and loading

PROBE = r"""
import json, sys
import django
django.setup()
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from caredesk.accounts.models import Team, User
from caredesk.tickets.models import Message, Ticket

agent = User.objects.get(email=sys.argv[2])
busiest = (Ticket.objects.filter(status__in=["new", "open", "pending", "on_hold"])
           .exclude(team=None).values("team").annotate(n=Count("id")).order_by("-n").first())
if busiest:
    Team.objects.get(pk=busiest["team"]).members.add(agent)
detail = list(Message.objects.values("ticket_id").annotate(n=Count("id")).filter(n=10)
              .values_list("ticket_id", flat=True)[:200])
customers = list(Ticket.objects.values("requester_id").annotate(n=Count("id")).order_by("-n")
                 .values_list("requester_id", flat=True)[:200])
paths = {
    "inbox_all_open": ["/inbox/?view=open"],
    "inbox_unassigned": ["/inbox/?view=unassigned"],
    "inbox_my_teams": ["/inbox/?view=team"],
    "ticket_view": [f"/tickets/{i}/" for i in detail],
    "customer_360": [f"/customers/{i}/" for i in customers],
    "search_page": [f"/search/?q={w}" for w in json.loads(sys.argv[1])],
}
client = Client(SERVER_NAME="localhost")
client.force_login(agent)
counts, sizes = {}, {}
for name, ps in paths.items():
    client.get(ps[0])
    per_page = set()
    for p in (ps[0], ps[-1]):
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(p)
        assert r.status_code == 200, (name, r.status_code, r.content[:300])
        per_page.add(len(ctx))
    counts[name] = sorted(per_page)
    sizes[name] = len(r.content)
print(json.dumps({"paths": paths, "queries": counts, "bytes": sizes}))
"""


def probe(env: dict[str, str]) -> dict[str, Any]:
    common.log("choosing pages and counting SQL queries per page")
    out = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(common.SEARCH_WORDS), common.AGENT],
        env=env,
        check=True,
        text=True,
        capture_output=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    args = common.arguments(__doc__ or "", what="page")
    env = common.env_for(args)
    result: dict[str, Any] = {
        "db": args.db,
        "tickets": args.tickets,
        "customers": args.customers,
        "workers": args.workers,
    }
    if not args.reuse:
        common.fresh_database(args, env)
        result["seed"] = common.seed(args, env)
    common.caredesk(env, "migrate")
    info = probe(env)
    work = Path(env["CAREDESK_DATA_DIR"])
    eps = work / "web-endpoints.json"
    common.endpoints_file(info, eps)
    server = common.serve(args, env)
    try:
        loaded = common.load(args, server, eps, work / "web-load.json")
    finally:
        server.terminate()
        server.wait(timeout=30)
    common.summarise(result, loaded, info)
    for name, rec in result["endpoints"].items():
        rec["html_bytes"] = info["bytes"].get(name)
    common.write_result(result, f"web-{args.db}-{args.tickets}")


if __name__ == "__main__":
    main()
