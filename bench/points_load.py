"""Points endpoints under load, side by side, on generated cities.

    .venv/bin/python bench/points_load.py            # full: 200,000 volunteers / 5M entries vs 2,000 / 50k
    .venv/bin/python bench/points_load.py --quick    # about a minute: 20,000 / 500k vs 2,000 / 50k
    .venv/bin/python bench/points_load.py --smoke --work DIR --results-dir DIR   # CI: does it still run? (~20 s)

Everything is served by ``gunicorn -w 2`` (sync workers) on 127.0.0.1 and
loaded by ``wrk`` with ``bench/tokens.lua`` (a bearer token per request,
taken in turn from a file). Two comparisons, each interleaved A/B/A/B (the
order flips every round) with medians over the rounds:

1. **Check-in vs the floor.** ``POST /api/v1/me/checkins`` of the app
   (``core:create_app()``) against ``bench/floor_app.py`` (the same insert
   and balance update in one transaction, same SQLite settings), each on its
   own copy of the big city. Each request is a different volunteer: the
   volunteers are dealt into one disjoint slice per run (warm-up included),
   so no volunteer checks in twice in a day and any non-2xx is an error. A
   run that runs out of volunteers does not count (the script stops).
   Goal: app ≥ 0.6 × floor requests/s, zero errors.
2. **Reads at 5M vs 50k entries.** ``GET /api/v1/me/points``,
   ``GET /api/v1/s/<slug>/leaderboard?period=month`` and ``?period=all``
   (and ``GET /api/v1/me`` as a baseline) on the big city (the app server of
   step 1, with its check-ins of today) against the small one. Volunteers
   come from ``read_tokens.txt`` (the same activity-weighted mix in both
   cities); a leaderboard request asks for the volunteer's own station.
   Goal: small ≤ 1.5 × big requests/s.

Beside requests/s and wrk's latency percentiles, each run records the CPU
the server's workers spent per request (from /proc; it does not depend on
what else the machine is doing) and how busy the machine was with other
processes (``other`` cores), because the figures are only comparable when
that is near zero.

Cities are generated with ``make_city.py`` into ``--work`` (default
``bench/.work``) and reused while their parameters match; results go to
``--results-dir`` (default ``bench/results``) as ``points_load-<mode>.json``.

``--smoke`` (CI's ``.ci/bench_smoke``) runs everything once on tiny cities in
1-second runs without warm-ups, and fails (exit status 1) on any error, a
bookkeeping mismatch or a read endpoint that did not answer; its figures mean
nothing, and the goals are not checked.
"""

import argparse
import json
import os
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV_BIN = Path(sys.executable).parent
GUNICORN = str(VENV_BIN / "gunicorn")
LUA = str(BENCH / "tokens.lua")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

PRESETS = {
    "full": {
        "big": (200_000, 5_000_000),
        "small": (2_000, 50_000),
        "duration": 10,
        "warmup": 3,
        "rounds": 3,
        "checkin_rounds": 3,
    },
    "quick": {
        "big": (20_000, 500_000),
        "small": (2_000, 50_000),
        "duration": 2,
        "warmup": 1,
        "rounds": 2,
        "checkin_rounds": 2,
    },
    "smoke": {  # does every part still run? (CI; enough volunteers for 1 s of check-ins on a fast machine)
        "big": (6_000, 20_000),
        "small": (500, 3_000),
        "duration": 1,
        "warmup": 0,
        "rounds": 1,
        "checkin_rounds": 1,
    },
}

READS = [
    ("me", "GET", "/api/v1/me"),
    ("my points", "GET", "/api/v1/me/points"),
    ("leaderboard month", "GET", "/api/v1/s/{slug}/leaderboard?period=month"),
    ("leaderboard all", "GET", "/api/v1/s/{slug}/leaderboard?period=all"),
]
CHECKIN = ("POST", "/api/v1/me/checkins")


def log(message):
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {message}", flush=True)


# ---------------------------------------------------------------------------
# Cities
# ---------------------------------------------------------------------------


def ensure_city(directory, volunteers, entries, regenerate):
    meta_path = directory / "city.json"
    if not regenerate and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta["requested"]["volunteers"] == volunteers and meta["requested"]["entries"] == entries:
            log(f"reusing {directory} ({meta['counts']['ledgerentry']:,} entries, made {meta['today']})")
            return meta
    log(f"generating {directory}: {volunteers:,} volunteers, about {entries:,} entries")
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            str(BENCH / "make_city.py"),
            str(directory),
            "--volunteers",
            str(volunteers),
            "--entries",
            str(entries),
        ],
        check=True,
    )
    meta = json.loads(meta_path.read_text())
    meta["generate_seconds"] = round(time.perf_counter() - started, 1)
    meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False))
    return meta


def fresh_copy(source, target):
    """A copy of a city's database, flushed to disk so the copy's writeback
    does not land in a measured run."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    with open(target, "rb+") as file:
        os.fsync(file.fileno())
    return target


def table_count(path, table, where=""):
    with sqlite3.connect(path) as conn:
        return conn.execute(f'SELECT COUNT(*) FROM "{table}" {where}').fetchone()[0]


# ---------------------------------------------------------------------------
# Servers
# ---------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``gunicorn -w 2`` on 127.0.0.1, started and stopped by its own pid."""

    def __init__(self, name, app, database, run_dir, stations_dir=None, chdir=None, workers=2):
        self.name, self.app, self.database = name, app, database
        self.run_dir, self.stations_dir, self.chdir, self.workers = run_dir, stations_dir, chdir, workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self):
        env = dict(os.environ)
        env.update(
            REDARMBAND_DATABASE_URL=f"sqlite:///{self.database}",
            REDARMBAND_SECRET_KEY="bench",
            REDARMBAND_INSTANCE_PATH=str(self.run_dir / "instance"),
        )
        if self.stations_dir:
            env["REDARMBAND_STATIONS_DIR"] = str(self.stations_dir)
        command = [GUNICORN, "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}", "--timeout", "120"]
        if self.chdir:
            command += ["--chdir", str(self.chdir)]
        command.append(self.app)
        self.log_path = self.run_dir / f"{self.name}.log"
        with open(self.log_path, "w") as log_file:  # the child keeps its own descriptor
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
        deadline = time.time() + 90
        probe = "/health" if self.app.startswith("floor_app") else "/api/v1/stations"
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} did not start; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + probe, timeout=5) as answer:
                    if answer.status == 200 and len(self.worker_pids()) == self.workers:
                        log(f"{self.name} up at {self.url} (database {self.database.name})")
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        raise SystemExit(f"{self.name} did not answer within 90 s; see {self.log_path}")

    def worker_pids(self):
        try:
            return [
                int(pid)
                for pid in Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
            ]
        except FileNotFoundError:
            return []

    def cpu_seconds(self):
        total = 0
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / CLOCK_TICKS

    def request(self, method, path, token):
        request = urllib.request.Request(self.url + path, method=method, headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status
        except urllib.error.HTTPError as error:
            return error.code

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def machine_busy_seconds():
    """CPU seconds spent by everything on the machine so far (all cores)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / CLOCK_TICKS


# ---------------------------------------------------------------------------
# Load
# ---------------------------------------------------------------------------


def wrk(server, tokens_file, method, path, count, mode, duration, args):
    """One wrk run; returns its figures."""
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        LUA,
        server.url,
        "--",
        str(tokens_file),
        method,
        path,
        "0",
        str(count),
        mode,
        str(args.threads),
    ]
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_before, machine_before = server.cpu_seconds(), machine_busy_seconds()
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    server_cpu = server.cpu_seconds() - server_before
    machine = machine_busy_seconds() - machine_before
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu = (children_after.ru_utime - children_before.ru_utime) + (
        children_after.ru_stime - children_before.ru_stime
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("BENCH_JSON ")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    figures = json.loads(lines[-1][len("BENCH_JSON ") :])
    seconds = figures["duration_us"] / 1e6
    socket_errors = sum(figures["socket_errors"].values())
    return {
        "rps": figures["requests"] / seconds,
        "requests": figures["requests"],
        "bytes_per_response": figures["bytes"] / max(1, figures["requests"]),
        "sent": figures["sent"],
        "p50_ms": figures["latency_us"]["p50"] / 1000,
        "p90_ms": figures["latency_us"]["p90"] / 1000,
        "p99_ms": figures["latency_us"]["p99"] / 1000,
        "errors": figures["non2xx"] + socket_errors,
        "statuses": figures["statuses"],
        "socket_errors": figures["socket_errors"],
        "first_error": figures["first_error"],
        "exhausted": figures["exhausted_threads"] > 0,
        "server_cpu_ms_per_request": 1000 * server_cpu / max(1, figures["requests"]),
        "other_cores": max(0.0, (machine - server_cpu - wrk_cpu) / wall),
        "wrk_cores": wrk_cpu / wall,
    }


def deal_tokens(tokens_file, parts, run_dir):
    """Split the check-in tokens into ``parts`` files, dealt like cards so
    every part has the same mix of busy and quiet volunteers."""
    lines = Path(tokens_file).read_text().splitlines(keepends=True)
    files = []
    for part in range(parts):
        path = run_dir / f"checkin-tokens-{part}.txt"
        path.write_text("".join(lines[part::parts]))
        files.append((path, len(lines[part::parts])))
    return files


def describe(label, run):
    errors = f", {run['errors']} errors {run['statuses']} {run['first_error'][:120]}" if run["errors"] else ""
    log(
        f"  {label:<28} {run['rps']:8.1f} req/s  p50 {run['p50_ms']:6.1f} ms  p99 {run['p99_ms']:7.1f} ms  "
        f"server {run['server_cpu_ms_per_request']:5.2f} ms CPU/req  other load {run['other_cores']:.2f} cores{errors}"
    )


def summarise(runs):
    keys = ("rps", "p50_ms", "p90_ms", "p99_ms", "server_cpu_ms_per_request", "other_cores", "bytes_per_response")
    summary = {key: statistics.median(run[key] for run in runs) for key in keys}
    summary["errors"] = sum(run["errors"] for run in runs)
    summary["requests"] = sum(run["requests"] for run in runs)
    summary["rounds"] = len(runs)
    return summary


def check_exhausted(run, label):
    if run["exhausted"]:
        raise SystemExit(
            f"{label}: the run used up its slice of volunteers before its time was up, so its rate is wrong; "
            "generate more volunteers or use a shorter --duration"
        )


# ---------------------------------------------------------------------------
# The two comparisons
# ---------------------------------------------------------------------------


CONTENDERS = {
    # name: (server name, gunicorn app, --chdir)
    "floor": ("floor", "floor_app:create_app()", BENCH),
    "app": ("core-big", "core:create_app()", None),
}


def checkin_benchmark(big, run_dir, args, servers):
    names = list(CONTENDERS)
    databases, contenders = {}, {}
    entries_before = None
    for name in names:
        server_name, app, chdir = CONTENDERS[name]
        databases[name] = fresh_copy(big["database"], run_dir / f"{server_name}.sqlite3")
        entries_before = entries_before or table_count(databases[name], "ledgerentry")
        contenders[name] = servers[server_name] = Server(
            server_name, app, databases[name], run_dir, stations_dir=big["stations_dir"], chdir=chdir
        ).start()
    rounds = args.checkin_rounds
    slices = deal_tokens(big["tokens"], rounds + 1, run_dir)  # slice 0: the probe and the warm-ups
    method, path = CHECKIN
    # 2xx answers seen, and requests sent (the last few of a run are answered
    # after wrk stops listening): every new entry lies between the two.
    ok_requests, sent_requests = dict.fromkeys(names, 0), dict.fromkeys(names, 0)

    warm_file, warm_count = slices[0]
    log(f"check-in: {rounds} rounds of {args.duration}s per contender, {slices[1][1]:,} volunteers per run")
    for name, server in contenders.items():
        token = Path(warm_file).read_text().split()[0]
        status = server.request(method, path, token)
        if status != 201:
            raise SystemExit(f"{name}: POST {path} answered {status}, expected 201")
        ok_requests[name] += 1
        sent_requests[name] += 1
        warm_tokens = run_dir / f"warm-{server.name}.txt"  # the probe used the first token
        warm_tokens.write_text("".join(Path(warm_file).read_text().splitlines(keepends=True)[1:]))
        if not args.warmup:
            continue
        run = wrk(server, warm_tokens, method, path, warm_count - 1, "once", args.warmup, args)
        ok_requests[name] += run["requests"] - run["errors"]
        sent_requests[name] += run["sent"]
        describe(f"{name} warm-up", run)

    results = {name: [] for name in names}
    for number in range(rounds):
        tokens_file, count = slices[number + 1]
        order = names[number % len(names) :] + names[: number % len(names)]  # who goes first alternates
        for name in order:
            run = wrk(contenders[name], tokens_file, method, path, count, "once", args.duration, args)
            check_exhausted(run, f"check-in {name}")
            ok_requests[name] += run["requests"] - run["errors"]
            sent_requests[name] += run["sent"]
            results[name].append(run)
            describe(f"round {number + 1} {name}", run)

    # Every 2xx is one new entry (and, in the app, one CheckIn row).
    for name in names:
        if name != "app":
            contenders[name].stop()
            servers.pop(contenders[name].name)
    time.sleep(1)  # the app's last requests of the last run
    consistent = True
    for name in names:
        added = table_count(databases[name], "ledgerentry") - entries_before
        checks = [ok_requests[name] <= added <= sent_requests[name]]
        detail = f"{name}: {ok_requests[name]:,} 2xx, {sent_requests[name]:,} sent, {added:,} new entries"
        if name != "floor":
            checkins = table_count(databases[name], "checkin", f"WHERE local_date >= '{big['today']}'")
            checks.append(checkins == added)
            detail += f", {checkins:,} check-ins today"
        consistent = consistent and all(checks)
        log(f"check-in bookkeeping {detail}: {'ok' if all(checks) else 'MISMATCH'}")
    summary = {name: summarise(runs) for name, runs in results.items()}
    ratio = summary["app"]["rps"] / summary["floor"]["rps"]
    cpu_ratio = summary["floor"]["server_cpu_ms_per_request"] / summary["app"]["server_cpu_ms_per_request"]
    round_ratios = [app["rps"] / floor["rps"] for app, floor in zip(results["app"], results["floor"], strict=True)]
    return {
        "round_ratios_app_to_floor": round_ratios,
        "runs": results,
        "summary": summary,
        "ratio_app_to_floor": ratio,
        "cpu_ratio_app_to_floor": cpu_ratio,
        "bookkeeping_consistent": consistent,
        "goal_met": ratio >= 0.6 and summary["app"]["errors"] == 0 and consistent,
    }


def reads_benchmark(big, small, run_dir, args, servers):
    if "core-big" not in servers:
        core_db = fresh_copy(big["database"], run_dir / "core-big.sqlite3")
        servers["core-big"] = Server(
            "core-big", "core:create_app()", core_db, run_dir, stations_dir=big["stations_dir"]
        ).start()
    small_db = fresh_copy(small["database"], run_dir / "core-small.sqlite3")
    servers["core-small"] = Server(
        "core-small", "core:create_app()", small_db, run_dir, stations_dir=small["stations_dir"]
    ).start()
    cities = {"big": (servers["core-big"], big), "small": (servers["core-small"], small)}
    results = {}
    available = []
    for label, method, path in READS:
        statuses = {
            size: server.request(method, path.replace("{slug}", meta_first_slug(meta)), meta_first_token(meta))
            for size, (server, meta) in cities.items()
        }
        if any(status != 200 for status in statuses.values()):
            log(f"reads: {label} ({path}) answered {statuses}: skipped")
            results[label] = {"skipped": f"answered {statuses}"}
            continue
        available.append((label, method, path))
        for size, (server, meta) in cities.items():
            if not args.warmup:
                break
            run = wrk(server, meta["read_tokens"], method, path, 10**9, "wrap", args.warmup, args)
            describe(f"{label} warm-up {size}", run)
        results[label] = {"big": [], "small": []}
    log(f"reads: {args.rounds} rounds of {args.duration}s per endpoint and city")
    for number in range(args.rounds):
        for label, method, path in available:
            order = ("big", "small") if number % 2 == 0 else ("small", "big")
            for size in order:
                server, meta = cities[size]
                run = wrk(server, meta["read_tokens"], method, path, 10**9, "wrap", args.duration, args)
                results[label][size].append(run)
                describe(f"round {number + 1} {label} {size}", run)
    out = {}
    for label, runs in results.items():
        if "skipped" in runs:
            out[label] = runs
            continue
        summary = {size: summarise(size_runs) for size, size_runs in runs.items()}
        ratio = summary["small"]["rps"] / summary["big"]["rps"]
        out[label] = {
            "round_ratios_small_to_big": [
                small["rps"] / big["rps"] for small, big in zip(runs["small"], runs["big"], strict=True)
            ],
            "cpu_ratio_big_to_small": summary["big"]["server_cpu_ms_per_request"]
            / summary["small"]["server_cpu_ms_per_request"],
            "runs": runs,
            "summary": summary,
            "ratio_small_to_big": ratio,
            "goal_met": ratio <= 1.5 and summary["big"]["errors"] == 0 and summary["small"]["errors"] == 0,
        }
    return out


def verify_copies(run_dir):
    """verify_balances() and SQLite's checks on the app's copies after the
    check-ins (each balance, earned total and month figure against the sum
    of the entries)."""
    verified = {}
    for path in sorted(run_dir.glob("*.sqlite3")):
        if path.name.startswith("core-big"):
            log(f"verifying {path.name} …")
            subprocess.run(
                [sys.executable, "-c", f"import make_city; make_city.verify({str(path)!r})"], cwd=BENCH, check=True
            )
            verified[path.name] = "ok"
    return verified


def meta_first_token(meta):
    return Path(meta["read_tokens"]).read_text().split("\n", 1)[0].split()[0]


def meta_first_slug(meta):
    return Path(meta["read_tokens"]).read_text().split("\n", 1)[0].split()[1]


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def report(result):
    lines = []
    machine = result["machine"]
    core = result["core"]
    dirty = (
        f" + uncommitted changes to {len(core['uncommitted_core_files'])} core files"
        if core["uncommitted_core_files"]
        else ""
    )
    lines.append(
        f"{result['mode']} run, {result['started']}, core at {core['commit']}{dirty}; {machine['cores']} cores; gunicorn -w 2 (sync), "
        f"wrk -t{result['settings']['threads']} -c{result['settings']['connections']}, "
        f"{result['settings']['duration']}s runs, medians of {result['settings']['checkin_rounds']} check-in rounds "
        f"and {result['settings']['rounds']} read rounds"
    )
    big, small = result["cities"]["big"], result["cities"]["small"]
    lines.append(
        f"big city: {big['counts']['volunteer']:,} volunteers, {big['counts']['ledgerentry']:,} entries "
        f"({big['database_bytes'] / 1e9:.2f} GB); small city: {small['counts']['volunteer']:,} volunteers, "
        f"{small['counts']['ledgerentry']:,} entries"
    )
    header = "| | req/s | p50 ms | p90 ms | p99 ms | server CPU ms/req | KB/response | errors | other load (cores) |"
    rule = "|---|---:|---:|---:|---:|---:|---:|---:|---:|"

    def row(label, s):
        return (
            f"| {label} | {s['rps']:.0f} | {s['p50_ms']:.1f} | {s['p90_ms']:.1f} | {s['p99_ms']:.1f} | "
            f"{s['server_cpu_ms_per_request']:.2f} | {s['bytes_per_response'] / 1024:.1f} | {s['errors']} | "
            f"{s['other_cores']:.2f} |"
        )

    checkin = result.get("checkin")
    if checkin:
        lines += ["", "Check-in (POST /api/v1/me/checkins) on the big city:", "", header, rule]
        labels = {"floor": "floor (bench/floor_app.py)", "app": "app"}
        for name, summary in checkin["summary"].items():
            lines.append(row(labels[name], summary))
        lines.append(
            f"\napp / floor = {checkin['ratio_app_to_floor']:.2f}× requests/s "
            f"({checkin['cpu_ratio_app_to_floor']:.2f}× by server CPU per request); goal ≥ 0.6×, zero errors: "
            f"{'met' if checkin['goal_met'] else 'NOT met'}"
        )
        lines.append("per round: " + ", ".join(f"{r:.2f}×" for r in checkin["round_ratios_app_to_floor"]))
        lines.append(busy_warning(checkin["summary"].values()))
    reads = result.get("reads")
    if reads:
        lines += ["", "Reads, big city vs small city:", "", header, rule]
        verdicts = []
        for label, figures in reads.items():
            if "skipped" in figures:
                verdicts.append(f"{label}: skipped ({figures['skipped']})")
                continue
            lines.append(row(f"{label}, {big['counts']['ledgerentry'] / 1e6:.2f}M entries", figures["summary"]["big"]))
            lines.append(
                row(f"{label}, {small['counts']['ledgerentry'] / 1e3:.0f}k entries", figures["summary"]["small"])
            )
            verdicts.append(
                f"{label}: small / big = {figures['ratio_small_to_big']:.2f}× requests/s "
                f"({figures['cpu_ratio_big_to_small']:.2f}× by server CPU per request; per round "
                + ", ".join(f"{r:.2f}×" for r in figures["round_ratios_small_to_big"])
                + f"): {'met' if figures['goal_met'] else 'NOT met'}"
            )
        lines.append("\nGoal ≤ 1.5×, zero errors:\n" + "\n".join(f"- {verdict}" for verdict in verdicts))
        lines.append(
            busy_warning(
                summary for figures in reads.values() if "summary" in figures for summary in figures["summary"].values()
            )
        )
    return "\n".join(lines)


def busy_warning(summaries):
    busiest = max(summary["other_cores"] for summary in summaries)
    if busiest < 0.25:
        return f"(other processes used at most {busiest:.2f} cores during these runs)"
    return (
        f"Warning: other processes on the machine used up to {busiest:.2f} of the 2 cores during these runs, so "
        "requests/s and latencies are disturbed; server CPU per request is not, and is the steadier comparison."
    )


def code_state():
    """The commit measured, and which files of core differed from it."""

    def git(*args):
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.rstrip("\n") if done.returncode == 0 else None

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "uncommitted_core_files": (git("status", "--porcelain", "--", "core") or "").splitlines(),
    }


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="a small city, short runs: about a minute")
    size.add_argument(
        "--smoke", action="store_true", help="tiny cities, 1 s runs, no warm-up: does it run? (CI; fails on errors)"
    )
    parser.add_argument("--work", default=str(BENCH / ".work"), help="where cities and copies go")
    parser.add_argument(
        "--results-dir",
        default=str(BENCH / "results"),
        help="where points_load-<mode>.json goes (default bench/results)",
    )
    parser.add_argument("--regenerate", action="store_true", help="make the cities again even if they match")
    parser.add_argument("--only", choices=("checkin", "reads"))
    parser.add_argument("--duration", type=int, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, help="seconds of warm-up per server and endpoint (0: none)")
    parser.add_argument("--rounds", type=int, help="rounds of the read comparison")
    parser.add_argument("--checkin-rounds", type=int, help="rounds of the check-in comparison")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections (default 4: two per worker)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--big", help="VOLUNTEERS,ENTRIES of the big city")
    parser.add_argument("--small", help="VOLUNTEERS,ENTRIES of the small city")
    parser.add_argument("--keep", action="store_true", help="keep the database copies afterwards")
    parser.add_argument(
        "--verify",
        action="store_true",
        help="afterwards, run core.points.verify_balances() on the app's copy (seconds in --quick, minutes in full)",
    )
    args = parser.parse_args(argv)
    args.mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    for key, value in PRESETS[args.mode].items():
        if getattr(args, key, None) is None:
            setattr(args, key, value)
    for key in ("big", "small"):
        if isinstance(getattr(args, key), str):
            setattr(args, key, tuple(int(part) for part in getattr(args, key).split(",")))
    return args


def main(argv=None):
    args = parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    started = datetime.now(UTC)
    work = Path(args.work)
    run_dir = work / "run"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    cities = {}
    generate_started = time.perf_counter()
    for size in ("big", "small"):
        volunteers, entries = getattr(args, size)
        cities[size] = ensure_city(work / f"city-{volunteers}-{entries}", volunteers, entries, args.regenerate)
    generate_seconds = time.perf_counter() - generate_started
    result = {
        "mode": args.mode,
        "started": started.isoformat(timespec="seconds"),
        "machine": {"cores": os.cpu_count(), "load_average_at_start": os.getloadavg()},
        "core": code_state(),
        "settings": {
            key: getattr(args, key)
            for key in ("duration", "warmup", "rounds", "checkin_rounds", "connections", "threads")
        },
        "cities": {size: meta for size, meta in cities.items()},
        "generate_seconds_this_run": round(generate_seconds, 1),
    }
    servers = {}
    try:
        if args.only in (None, "checkin"):
            result["checkin"] = checkin_benchmark(cities["big"], run_dir, args, servers)
        if args.only in (None, "reads"):
            result["reads"] = reads_benchmark(cities["big"], cities["small"], run_dir, args, servers)
        if args.verify and "checkin" in result:
            for server in servers.values():
                server.stop()
            result["verified_after_checkins"] = verify_copies(run_dir)
    finally:
        for server in servers.values():
            server.stop()
        if not args.keep:
            for path in run_dir.glob("*.sqlite3*"):
                path.unlink()
    result["seconds"] = round((datetime.now(UTC) - started).total_seconds(), 1)
    results_dir = Path(args.results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    text = report(result)
    result["report"] = text
    out = results_dir / f"points_load-{args.mode}.json"
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str))
    print("\n" + text + f"\n\n({result['seconds']:.0f} s in all; figures in {out})")
    if args.smoke:
        problems = smoke_problems(result)
        if problems:
            raise SystemExit("smoke run failed:\n" + "\n".join(f"- {problem}" for problem in problems))
        log("smoke run: every part ran, with no errors")
    return result


def smoke_problems(result):
    """What a smoke run found broken: errors, bookkeeping, reads that did not answer."""
    problems = []
    checkin = result.get("checkin")
    if checkin:
        for name, summary in checkin["summary"].items():
            if summary["errors"]:
                problems.append(f"check-in {name}: {summary['errors']} errors")
        if not checkin["bookkeeping_consistent"]:
            problems.append("check-in bookkeeping: 2xx answers and new rows do not match")
    for label, figures in (result.get("reads") or {}).items():
        if "skipped" in figures:
            problems.append(f"reads, {label}: {figures['skipped']}")
            continue
        for size, summary in figures["summary"].items():
            if summary["errors"]:
                problems.append(f"reads, {label} ({size} city): {summary['errors']} errors")
    return problems


if __name__ == "__main__":
    main()
