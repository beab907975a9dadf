"""Save PNG screenshots of caredesk's main screens into docs/screenshots/.

Starts `caredesk demo` on a throw-away data directory, signs in as the demo agent and
the demo customer in Debian's Chromium (Playwright), and photographs each screen.
Run with `make screenshots`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PORT = int(os.environ.get("SCREENSHOT_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PASSWORD = "caredesk-demo"  # noqa: S105  # the public demo password


def wait_for_server(proc: subprocess.Popen[bytes]) -> None:
    for _ in range(240):
        if proc.poll() is not None:
            sys.exit("caredesk demo exited before it served")
        try:
            urllib.request.urlopen(BASE + "/healthz", timeout=1)  # noqa: S310  # loopback
            return
        except OSError:
            time.sleep(0.5)
    sys.exit("caredesk demo did not start in 2 minutes")


def sign_in(page: Page, email: str) -> None:
    page.goto(BASE + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def shoot(page: Page, name: str) -> None:
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=False)
    print(f"saved docs/screenshots/{name}.png")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    data_dir = tempfile.mkdtemp(prefix="caredesk-shots-")
    env = {**os.environ, "CAREDESK_DATA_DIR": data_dir}
    caredesk = str(Path(sys.executable).parent / "caredesk")
    proc = subprocess.Popen(  # noqa: S603  # our own command
        [caredesk, "demo", "--port", str(PORT), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_server(proc)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            agent = browser.new_page(viewport={"width": 1400, "height": 860})
            sign_in(agent, "agent@demo.caredesk.example")
            agent.goto(BASE + "/inbox/?view=open")
            shoot(agent, "inbox")
            agent.click("table.tickets a.subject >> nth=0")
            agent.wait_for_load_state("networkidle")
            shoot(agent, "ticket")
            agent.click("#requester-link")
            agent.wait_for_load_state("networkidle")
            shoot(agent, "customer-360")
            planner = browser.new_page(viewport={"width": 1400, "height": 1000})
            sign_in(planner, "supervisor@demo.caredesk.example")
            planner.goto(BASE + "/staffing/")
            shoot(planner, "staffing-calculator")
            planner.get_by_role("button", name="Forecast, requirement and schedule").click()
            planner.wait_for_load_state("networkidle")
            shoot(planner, "staffing-plan")
            planner.goto(BASE + "/manage/routing/")
            shoot(planner, "routing")
            planner.goto(BASE + "/manage/rules/")
            planner.get_by_role(
                "link", name="Customers who mention cancelling are escalated"
            ).click()
            planner.wait_for_load_state("networkidle")
            shoot(planner, "rule")
            planner.goto(BASE + "/dashboard/manager/")
            shoot(planner, "dashboard")
            planner.goto(BASE + "/manage/follow-ups/")
            shoot(planner, "follow-ups")
            agent_phone = browser.new_page(viewport={"width": 390, "height": 844})
            sign_in(agent_phone, "agent@demo.caredesk.example")
            agent_phone.goto(BASE + "/inbox/?view=open")
            shoot(agent_phone, "inbox-phone")
            phone = browser.new_page(viewport={"width": 390, "height": 844})
            sign_in(phone, "anna.smith@northwind.example")
            shoot(phone, "portal-phone")
            phone.click("table a >> nth=0")
            phone.wait_for_load_state("networkidle")
            shoot(phone, "portal-request-phone")
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
