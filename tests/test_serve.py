"""``redarmband serve``: the real command in real processes (gunicorn, gthread).

Each server gets a free port, its own instance folder and a SQLite database
under ``tmp_path``, and is stopped with its whole process group.
"""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from core.cli.serve import keep_working_directory_off_path, parse_bind
from core.problems import OperatorError
from tests.conftest import REPO

REDARMBAND = Path(sys.executable).parent / "redarmband"
OFFICER = ("13700000001", "secret123")
SMALL = ["--workers", "1", "--threads", "6"]  # enough for the tests, quick to boot


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(folder):
    env = {key: value for key, value in os.environ.items() if not key.startswith("REDARMBAND_")}
    env.update(
        REDARMBAND_INSTANCE_PATH=str(folder / "instance"),
        REDARMBAND_DATABASE_URL=f"sqlite:///{folder / 'redarmband.sqlite3'}",
        REDARMBAND_STATIONS_DIR=str(REPO / "stations"),
    )
    return env


def redarmband(*args, env, cwd, timeout=60):
    return subprocess.run([str(REDARMBAND), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)


class Server:
    """``redarmband serve`` in its own process group, output to files."""

    def __init__(self, env, cwd, *args):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.out, self.err = Path(cwd) / f"serve-{self.port}.out", Path(cwd) / f"serve-{self.port}.err"
        with open(self.out, "w") as out, open(self.err, "w") as err:
            self.process = subprocess.Popen(
                [str(REDARMBAND), "serve", "--bind", f"127.0.0.1:{self.port}", *SMALL, *args],
                env=env,
                cwd=cwd,
                stdout=out,
                stderr=err,
                start_new_session=True,
            )
        self._wait_until_listening()

    def _wait_until_listening(self, seconds=30):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited {self.process.returncode}:\n{self.output()}")
            try:
                urllib.request.urlopen(f"{self.url}/", timeout=2).close()
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        self.stop()
        raise AssertionError(f"serve did not answer in {seconds} s:\n{self.output()}")

    def output(self):
        return self.out.read_text() + self.err.read_text()

    def stop(self):
        """Gunicorn's quick shutdown (SIGINT) for the group, then SIGKILL for what is left."""
        for sig, wait in ((signal.SIGINT, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(wait)
                if sig == signal.SIGINT:
                    os.killpg(self.process.pid, signal.SIGKILL)  # any worker left behind
            except subprocess.TimeoutExpired:
                continue
            except ProcessLookupError:
                pass
            break


@pytest.fixture(scope="module")
def ready(tmp_path_factory):
    """An initialised database with an officer at donghua: (env, folder)."""
    folder = tmp_path_factory.mktemp("served")
    env = environment(folder)
    for args in (
        ["init-db"],
        [
            "users",
            "create",
            "--role",
            "officer",
            "--station",
            "donghua",
            "--phone",
            OFFICER[0],
            "--name",
            "张警官",
            "--password",
            OFFICER[1],
        ],
    ):
        result = redarmband(*args, env=env, cwd=folder)
        assert result.returncode == 0, result.stdout + result.stderr
    return env, folder


@pytest.fixture(scope="module")
def server(ready):
    env, folder = ready
    running = Server(env, folder)
    yield running
    running.stop()


def signed_in_opener(server):
    """A urllib opener holding the officer's session cookie."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(f"{server.url}/s/donghua/login", timeout=10) as page:
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode()).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "phone": OFFICER[0], "password": OFFICER[1]}).encode()
    with opener.open(f"{server.url}/s/donghua/login", data=form, timeout=10) as page:
        assert page.status == 200 and "/login" not in page.url, page.url
    return opener


def test_serves_the_city_and_a_station_page(server):
    for path in ("/", "/s/donghua/"):
        with urllib.request.urlopen(f"{server.url}{path}", timeout=10) as page:
            assert page.status == 200, path
    banner = server.out.read_text()
    assert f"serving on {server.url}/ with 1 worker(s) × 6 thread(s)" in banner
    assert "stations: " in banner and "(3 station(s), 3 enabled)" in banner
    assert "database: sqlite:///" in banner and "instance folder: " in banner
    assert "Using worker: gthread" in server.err.read_text()


def test_open_live_streams_do_not_hold_up_the_pages(server):
    opener = signed_in_opener(server)
    streams = []
    try:
        for _ in range(4):  # of the worker's 6 threads
            stream = opener.open(f"{server.url}/s/donghua/instructions/stream", timeout=10)
            assert stream.status == 200
            assert stream.headers["Content-Type"].startswith("text/event-stream")
            assert stream.headers["X-Accel-Buffering"] == "no"
            assert stream.readline() == b"retry: 3000\n"
            streams.append(stream)
        started = time.monotonic()
        with opener.open(f"{server.url}/s/donghua/", timeout=10) as page:
            assert page.status == 200
        assert time.monotonic() - started < 2
    finally:
        for stream in streams:
            stream.close()


def test_a_working_directory_with_its_own_core_and_plugins_does_not_shadow_the_installed_ones(ready, tmp_path):
    env, _folder = ready
    for package in ("core", "plugins"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text(
            f"raise ImportError('the {package} of the working directory')\n"
        )
    running = Server(env, tmp_path)
    try:
        with urllib.request.urlopen(f"{running.url}/s/huguo/", timeout=10) as page:
            assert page.status == 200
        assert "working directory" not in running.output()
        assert "warning" not in running.err.read_text()  # every plugin loaded
    finally:
        running.stop()


def test_a_busy_port_is_one_line_and_nothing_is_written(tmp_path):
    env = environment(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = redarmband("serve", "--bind", f"127.0.0.1:{port}", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: cannot listen on 127.0.0.1:{port}: ")
    assert "--bind" in result.stderr and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # no instance folder, no database


def test_an_uninitialised_database_is_one_line_naming_init_db(tmp_path):
    result = redarmband("serve", "--bind", f"127.0.0.1:{free_port()}", env=environment(tmp_path), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert "redarmband init-db" in result.stderr


def test_a_pool_smaller_than_the_threads_is_refused(tmp_path):
    env = dict(environment(tmp_path), REDARMBAND_DB_POOL_SIZE="10")
    result = redarmband("serve", "--bind", f"127.0.0.1:{free_port()}", "--threads", "32", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        "Error: REDARMBAND_DB_POOL_SIZE=10 is smaller than --threads 32: every thread may need a connection "
        "at once; set it to 32 or more, unset it (the pool then grows to the threads), or serve with --threads 10\n"
    )
    assert list(tmp_path.iterdir()) == []


# --- in-process: the pieces ------------------------------------------------------


def test_the_working_directory_comes_off_sys_path_unless_core_lives_there(tmp_path):
    path = ["", str(tmp_path), "/usr/lib/python3.11", str(REPO)]
    assert keep_working_directory_off_path(cwd=tmp_path, path=list(path)) == ["/usr/lib/python3.11", str(REPO)]
    assert keep_working_directory_off_path(cwd=REPO, path=list(path)) == path  # a checkout: core is there


@pytest.mark.parametrize("bind, expected", [("127.0.0.1:8000", ("127.0.0.1", 8000)), ("[::1]:80", ("::1", 80))])
def test_bind_addresses(bind, expected):
    assert parse_bind(bind) == expected


@pytest.mark.parametrize("bind", ["8000", "localhost", ":8000", "host:0", "host:http"])
def test_bind_addresses_that_are_not(bind):
    with pytest.raises(Exception, match="expected HOST:PORT"):
        parse_bind(bind)


def test_operator_error_is_what_the_pool_check_raises(monkeypatch):
    from core.cli.serve import refuse_small_pool

    monkeypatch.setenv("REDARMBAND_DB_POOL_SIZE", "ten")
    with pytest.raises(OperatorError, match="whole number"):
        refuse_small_pool(4)
    monkeypatch.setenv("REDARMBAND_DB_POOL_SIZE", "4")
    refuse_small_pool(4)
