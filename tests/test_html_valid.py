"""Every public page type is valid HTML for the Nu HTML checker (vnu).

The pages are rendered with the Django test client, written to files and
checked in one run of vnu (one JVM start for all of them). vnu comes from npm
(`make vnu`, which `.ci/run` calls) and needs Java; where either is missing the
test is skipped with the reason, except in CI (REQUIRE_BROWSER=1), where it
fails. Only errors count: vnu's warnings (such as explicit `role`s on the
stacking assistance table) are advice.
"""

import json
import os
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings

from tests.pages import LANGUAGES, PAGE_TYPES, render_demo_pages

# The module-scoped rendering needs the test database: pytest-django only
# creates it for a session that has tests marked for database access.
pytestmark = pytest.mark.django_db

VNU_JAR = Path(
    os.environ.get(
        "VNU_JAR", settings.BASE_DIR / ".ci/node_modules/vnu-jar/build/dist/vnu.jar"
    )
)


def vnu_command() -> list[str]:
    java = shutil.which("java")
    if java and VNU_JAR.is_file():
        return [java, "-jar", str(VNU_JAR)]
    missing = "Java" if not java else f"{VNU_JAR} (run `make vnu`, needs npm)"
    message = f"The Nu HTML checker cannot run: {missing} is missing"
    if os.environ.get("REQUIRE_BROWSER"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def checked(django_db_setup, django_db_blocker, tmp_path_factory):
    """Each rendered page with vnu's errors about it."""
    command = vnu_command()
    with django_db_blocker.unblock():
        pages = render_demo_pages(tmp_path_factory.mktemp("media"))
    folder = tmp_path_factory.mktemp("html")
    files = {}
    for page in pages:
        if page.error:
            continue
        path = folder / f"{page.name}-{page.language}.html"
        path.write_text(page.html, encoding="utf-8")
        files[str(path)] = page
    result = subprocess.run(
        [*command, "--errors-only", "--format", "json", "--stdout", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.stdout, f"vnu failed: {result.stderr}"
    errors = defaultdict(list)
    for message in json.loads(result.stdout)["messages"]:
        page = files.get(message.get("url", "").removeprefix("file:"))
        assert page, f"vnu could not check a page: {message}"
        errors[page.name, page.language].append(message)
    return {(page.name, page.language): page for page in pages}, errors


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", PAGE_TYPES)
def test_public_page_is_valid_html(name, language, checked):
    pages, errors = checked
    page = pages[name, language]
    assert page.status == PAGE_TYPES[name].status, page.label
    assert PAGE_TYPES[name].shows in page.html, f"{page.label} is not the case wanted"
    found = [
        f"line {e.get('lastLine')}: {e['message']}\n    {e.get('extract', '')!r}"
        for e in errors[name, language]
    ]
    assert not found, f"{page.label}\n" + "\n".join(found)
