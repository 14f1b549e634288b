"""axe-core on every public page type (tests/pages.py), in Chinese and English,
on a phone and on a desktop screen: no serious or critical violation. Minor
and moderate ones are printed (run with -s to read them), not failed."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from tests.pages import LANGUAGES, PAGE_TYPES, page_url

pytestmark = pytest.mark.browser

BLOCKING_IMPACTS = {"serious", "critical"}
WIDTHS = [390, 1280]


@pytest.fixture
def site(live_server, transactional_db):
    call_command("load_demo", verbosity=0)
    return live_server.url


def describe(violation: dict) -> str:
    targets = "; ".join(
        " ".join(node["target"]) + f" {node['html'][:120]}"
        for node in violation["nodes"][:5]
    )
    return (
        f"{violation['impact']}: {violation['id']} ({violation['help']}) "
        f"on {len(violation['nodes'])} element(s): {targets}"
    )


def violations_of(page, url: str) -> tuple[list[str], list[str]]:
    """axe at each width: the blocking violations and the others."""
    axe, blocking, others = Axe(), [], []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for violation in axe.run(page).response["violations"]:
            line = f"{url} at {width}px: {describe(violation)}"
            (blocking if violation["impact"] in BLOCKING_IMPACTS else others).append(
                line
            )
    return blocking, others


# One test per language walks every page type: loading the demo content once
# per test is what takes the time.
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_page_type_has_no_serious_accessibility_violation(
    browser, site, language
):
    context = browser.new_context()
    page = context.new_page()
    blocking = []
    for name, page_type in PAGE_TYPES.items():
        url = page_url(name, language)
        response = page.goto(site + url)
        assert response.status == page_type.status, url
        found, others = violations_of(page, url)
        blocking += found
        print(f"{name}: {len(found)} serious or critical, {len(others)} other")
        print(*others, sep="\n")
    context.close()
    assert not blocking, "\n".join(blocking)
