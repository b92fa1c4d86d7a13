"""Browser tests: the real app served over HTTP, driven by a real Chromium.

Run them with ``pytest -m browser`` (setup.cfg deselects the marker by default).
They use the system Chromium (``/usr/bin/chromium``, or ``$REDARMBAND_CHROMIUM``)
through Playwright; ``playwright install`` is never needed. A missing browser
fails the run rather than skipping it, so CI cannot go green without testing.
"""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM_ENV = "REDARMBAND_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}
TIMEOUT_MS = 10_000

# Screenshots taken during the run, listed at the end of the terminal report.
SCREENSHOTS = pytest.StashKey()


class LiveServer:
    """The app served by werkzeug on 127.0.0.1 at a free port, in a thread."""

    def __init__(self, app):
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="live-server", daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        self._server.shutdown()
        self._thread.join(timeout=10)
        self._server.server_close()

    def __call__(self, path="/"):
        return self.url + path


@pytest.fixture
def live_server(app):
    """The test app (fresh database, shipped stations and plugins, CSRF on) over HTTP."""
    assert app.config.get("WTF_CSRF_ENABLED", True), "browser tests must run with CSRF on"
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


def chromium_executable():
    path = os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM
    if not (Path(path).is_file() and os.access(path, os.X_OK)):
        pytest.fail(
            f"Chromium not found at {path!r}: install Debian's chromium package "
            f"or set ${CHROMIUM_ENV} to a Chromium executable. Browser tests never skip.",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run."""
    executable = chromium_executable()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:  # pragma: no cover - the test extra installs it
        pytest.fail(f"the playwright package is missing ({error}); pip install -e '.[test]'", pytrace=False)
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Exception as error:
            pytest.fail(f"could not launch Chromium at {executable!r}: {error}", pytrace=False)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh phone-sized browser context (no cookies) and page.

    ``page.problems`` collects what should never happen on our pages: script
    errors, requests that failed, and sub-resources (CSS, images…) answered
    with an error status. Document responses are left to the tests, since a
    form page answering 400 with its errors is expected.
    """
    context = browser.new_context(**PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "requestfailed",
        lambda request: (
            None if _live_stream(request) else problems.append(f"request failed: {request.url} ({request.failure})")
        ),
    )
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} for {response.request.resource_type} {response.url}")
            if response.status >= 400 and response.request.resource_type != "document"
            else None
        ),
    )
    page.problems = problems
    yield page
    context.close()


@pytest.fixture
def save_screenshot(request, page, tmp_path):
    """``save_screenshot("name")`` saves the whole page as ``<tmp>/name.png``.

    The path is printed and listed at the end of the run for a reviewer.
    """

    def save(name):
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        request.config.stash.setdefault(SCREENSHOTS, []).append(path)
        print(f"screenshot: {path}")
        return path

    return save


def pytest_terminal_summary(terminalreporter, config):
    paths = config.stash.get(SCREENSHOTS, [])
    if paths:
        terminalreporter.write_sep("-", "browser screenshots")
        for path in paths:
            terminalreporter.write_line(str(path))


def _live_stream(request):
    """The instructions stream every signed-in page keeps open: leaving the
    page cuts it, which is no failure."""
    return "/instructions/stream" in request.url
