"""axe-core (WCAG 2.1 A and AA) finds nothing on the main pages, and no page breaks its own CSP."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinicpro.testing.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map(v => `${v.id}: ${v.nodes.map(n => n.target.join(" ")).join(", ")}`);
}"""


@pytest.fixture
def axe_page(browser, live_server):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run 'npm ci' (make test does).")
    # axe is injected as a script of the test's own; the app's CSP rightly forbids that, so this
    # context bypasses it (test_no_main_page_breaks_its_csp checks the policy with it on).
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def main_pages(clinic, service, practitioner, make_booking):
    booking = make_booking(timezone.now() + timedelta(days=3))
    public = [
        "/",
        "/accounts/login/",
        f"/book/{clinic.slug}/",
        f"/book/{clinic.slug}/?service={service.pk}",
        f"/b/{booking.token}/",
        f"/b/{booking.token}/reschedule/",
    ]
    staff = [
        f"/c/{clinic.slug}/",
        f"/c/{clinic.slug}/bookings/",
        f"/c/{clinic.slug}/bookings/{booking.pk}/",
        f"/c/{clinic.slug}/services/",
        f"/c/{clinic.slug}/services/{service.pk}/",
        f"/c/{clinic.slug}/members/",
        "/me/bookings/",
    ]
    return public, staff


def sign_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/c/"))


def violations(page, url: str) -> list[str]:
    page.goto(url)
    page.add_script_tag(path=str(AXE))
    return [f"{url} {found}" for found in page.evaluate(RUN_AXE, WCAG_21_AA)]


def test_axe_finds_no_wcag_21_aa_violations_on_the_main_pages(axe_page, main_pages, owner, clinic, service):
    public, staff = main_pages
    found = [v for url in public for v in violations(axe_page, url)]
    axe_page.goto(f"/book/{clinic.slug}/?service={service.pk}")
    axe_page.locator("a.slot").first.click()  # the details page
    axe_page.get_by_label("Full name").wait_for()  # axe must run on the details page, once it has loaded
    axe_page.add_script_tag(path=str(AXE))
    found += [f"details page {v}" for v in axe_page.evaluate(RUN_AXE, WCAG_21_AA)]
    sign_in(axe_page, owner)
    found += [v for url in staff for v in violations(axe_page, url)]
    assert found == []


def test_no_main_page_breaks_its_csp(page, main_pages, owner):
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    public, staff = main_pages
    for url in public:
        page.goto(url)
    sign_in(page, owner)
    for url in staff:
        page.goto(url)
    assert refused == []


def test_the_header_stays_one_line_on_a_phone_and_the_site_has_an_icon(page, owner, clinic):
    sign_in(page, owner)
    tops = page.eval_on_selector_all(
        "header.site nav > ul", "lists => lists.filter(l => l.offsetParent).map(l => l.getBoundingClientRect().top)"
    )
    assert len(tops) >= 2 and max(tops) - min(tops) < 8, tops
    page.get_by_text("Menu").click()
    expect(page.get_by_role("link", name="My bookings")).to_be_visible()
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(icon).status == 200
