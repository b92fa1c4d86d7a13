"""Generate a realistic city for the points benchmarks: stations, volunteers,
a year of ledger entries and everything kept beside them, consistently.

    .venv/bin/python bench/make_city.py OUT_DIR [--volunteers 200000] [--entries 5000000]
                                                 [--stations 150] [--days 365] [--seed 1] [--verify]

writes into OUT_DIR:

- ``stations/``: one TOML file per station (theme "default", no plugins),
  grouped into Kunming's districts;
- ``city.sqlite3``: the database, in WAL mode like the app's;
- ``tokens.txt``: ``<bearer token> <station slug> <volunteer id>`` for every
  volunteer once, in a random order weighted by activity (busier volunteers
  tend to come first), for check-ins (once per volunteer and day);
- ``read_tokens.txt``: 100,000 lines drawn with replacement with the same
  weights, for reads: the same mix of volunteers whatever the city's size;
- ``city.json``: what was generated, and how long it took.

What is in the database, and why it is consistent:

- ``Station`` rows for the generated stations; per station two officers and
  a station admin, and four rewards;
- ``User`` rows for the volunteers (one password hash, computed once, for
  everyone: the password is in ``city.json``), unique phones, spread over the
  stations by a skewed size;
- ``LedgerEntry`` rows in time order (ids grow with ``created_at``, as they
  do in a live ledger) over the last ``--days`` station-local days, ending
  yesterday, so every volunteer may still check in today: check-ins (at most
  one a day, for the station's ``checkin_points``), tasks and bonuses
  (``earned`` = ``amount``) and a few redemptions (negative, earned 0, only
  when the balance allows, each with its ``Redemption`` row); activity per
  volunteer is skewed (log-normal), and volunteers join during the year;
- ``CheckIn`` rows for the check-in entries; ``EarnedByMonth`` rows summed
  from the entries; ``points_balance``/``points_earned`` summed from them;
- an ``ApiToken`` per volunteer (SHA-256 digest, as core.accounts stores it).

``--verify`` runs ``core.points.verify_balances()`` and SQLite's foreign key
and integrity checks on the result (seconds on a small city, a few minutes on
a 5-million-entry one); ``--verify-only`` checks an existing OUT_DIR.

Speed: rows go in with ``executemany`` on one connection inside one
transaction, with the journal off, tables created without their secondary
indexes and the indexes (the very ones peewee makes for the models) built
after the load; then the file is switched to WAL like the app's.
"""

import argparse
import json
import math
import random
import secrets
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from peewee import SqliteDatabase
from werkzeug.security import generate_password_hash

from core import db
from core.accounts import _digest
from core.models import (
    CORE_MODELS,
    ApiToken,
    CheckIn,
    EarnedByMonth,
    LedgerEntry,
    Redemption,
    Reward,
    Station,
    User,
)
from core.schema import SchemaMigration, sources_for

PASSWORD = "bench-password"
TIMEZONE = "Asia/Shanghai"
UTC_OFFSET_HOURS = 8  # Asia/Shanghai has no daylight saving time
OATH_VERSION = "bench-1"

# Kunming's districts and counties, with a relative number of stations.
DISTRICTS = [
    ("wuhua", "五华分局", 16),
    ("panlong", "盘龙分局", 16),
    ("guandu", "官渡分局", 18),
    ("xishan", "西山分局", 16),
    ("chenggong", "呈贡分局", 10),
    ("dongchuan", "东川分局", 6),
    ("jinning", "晋宁分局", 6),
    ("anning", "安宁市公安局", 8),
    ("fumin", "富民县公安局", 5),
    ("yiliang", "宜良县公安局", 6),
    ("shilin", "石林县公安局", 5),
    ("songming", "嵩明县公安局", 6),
    ("luquan", "禄劝县公安局", 5),
    ("xundian", "寻甸县公安局", 5),
]
STREETS = [
    "东华",
    "护国",
    "小南门",
    "龙翔",
    "拓东",
    "金马",
    "大观",
    "莲华",
    "丰宁",
    "华山",
    "翠湖",
    "青年",
    "圆通",
    "新迎",
    "金星",
    "北京路",
    "关上",
    "太和",
    "吴井",
    "马街",
    "碧鸡",
    "海口",
    "前卫",
    "福海",
    "春城",
    "滇池",
    "雨花",
    "洛龙",
    "斗南",
    "乌龙",
]
OCCUPATIONS = ["shop_staff", "driver", "security_guard", "food_delivery", "courier", "retiree", "other"]
OCCUPATION_WEIGHTS = [30, 10, 15, 15, 10, 15, 5]
TASK_TYPES = [
    ("patrol", "安全巡查", "Safety patrol"),
    ("traffic_guiding", "交通引导", "Traffic guiding"),
    ("illegal_parking", "清理违停", "Illegal-parking clean-up"),
    ("illegal_posters", "清理小广告", "Removing illegal posters"),
    ("business_info", "企业信息采集", "Business information collection"),
    ("school_safety", "校园安全", "School safety"),
    ("neighbourhood_council", "院坝议事", "Neighbourhood council"),
]
TASK_POINTS = [1, 2, 2, 3, 3, 5, 5, 8, 10]
BONUS_POINTS = [5, 5, 10, 10, 20, 50]
REWARDS = [("矿泉水", 10), ("雨伞", 20), ("保温杯", 50), ("电影票", 100)]
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

# Shares of a volunteer's entries, by kind.
CHECKIN_SHARE, BONUS_SHARE, REDEMPTION_SHARE = 0.72, 0.06, 0.03

CHECKIN, TASK, BONUS, REDEMPTION = range(4)
KIND_NAMES = ["checkin", "task", "bonus", "redemption"]

LOAD_PRAGMAS = {
    "journal_mode": "off",
    "synchronous": "off",
    "locking_mode": "exclusive",
    "cache_size": -1_000_000,  # KiB: 1 GB
    "temp_store": "memory",
    "foreign_keys": 0,
    "threads": 2,  # sorter threads for CREATE INDEX
}
US_PER_DAY = 86_400_000_000
READ_DRAWS = 100_000  # lines of read_tokens.txt


def dumps(value):
    """JSON as core.models.JSONField stores it."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


STARTED = time.perf_counter()


def log(message):
    print(f"[{time.perf_counter() - STARTED:7.1f}s] {message}", flush=True)


def station_today():
    return datetime.now(timezone(timedelta(hours=UTC_OFFSET_HOURS))).date()


# ---------------------------------------------------------------------------
# Stations
# ---------------------------------------------------------------------------


def plan_stations(count, rng):
    """``[(slug, name, district, checkin_points), …]`` sorted by slug."""
    districts = DISTRICTS
    if count < len(districts):  # the biggest districts, one station each
        districts = sorted(DISTRICTS, key=lambda d: -d[2])[:count]
    total_weight = sum(weight for *_, weight in districts)
    shares = [count * weight / total_weight for *_, weight in districts]
    per_district = [max(1, int(share)) for share in shares]
    # Largest remainders get the stations left over.
    by_remainder = sorted(range(len(districts)), key=lambda i: int(shares[i]) - shares[i])
    for i in by_remainder[: count - sum(per_district)]:
        per_district[i] += 1
    stations = []
    for (dslug, dname, _weight), n in zip(districts, per_district, strict=True):
        for number in range(1, n + 1):
            street = STREETS[(len(stations) * 7 + number) % len(STREETS)]
            points = 2 if rng.random() < 0.2 else 1
            stations.append((f"{dslug}-{number:02d}", f"{street}派出所（{dname}{number}）", dname, points))
    return sorted(stations)


def write_station_files(directory, stations):
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.toml"):
        old.unlink()
    for slug, name, district, checkin_points in stations:
        (directory / f"{slug}.toml").write_text(
            f'slug = "{slug}"\n'
            f'name = "{name}"\n'
            f'district = "{district}"\n'
            f'brand = "春城红袖标"\n'
            "enabled = true\n"
            f'hosts = ["{slug}.bench.local"]\n'
            'theme = "default"\n'
            f'timezone = "{TIMEZONE}"\n'
            "plugins = []\n\n"
            "[points]\n"
            f"checkin_points = {checkin_points}\n\n"
            "[oath]\n"
            f'version = "{OATH_VERSION}"\n'
            'text = "我自愿成为一名春城红袖标志愿者，遵守法律法规，服从民警指挥。"\n',
            encoding="utf-8",
        )


# ---------------------------------------------------------------------------
# The plan: who does what on which day
# ---------------------------------------------------------------------------


def stochastic_round(x, rng):
    whole = int(x)
    return whole + (rng.random() < x - whole)


def plan_volunteers(n_volunteers, n_stations, n_entries, days, rng):
    """Station, join day and entry counts per volunteer (index 0 … n-1)."""
    station_weight = [rng.lognormvariate(0, 0.5) for _ in range(n_stations)]
    station_of = rng.choices(range(n_stations), weights=station_weight, k=n_volunteers)
    # A third joined before the window; the rest join during it.
    join = [0 if rng.random() < 0.35 else rng.randrange(0, days - 7) for _ in range(n_volunteers)]
    weight = [rng.lognormvariate(0, 0.9) for _ in range(n_volunteers)]
    # Entries grow with activity and with the days a volunteer has been in;
    # no one can check in more than once a day, so cap at 1.6 entries a day.
    base = [weight[v] * (days - join[v]) for v in range(n_volunteers)]
    cap = [1.6 * (days - join[v]) for v in range(n_volunteers)]
    scale = n_entries / sum(base)
    for _ in range(4):  # re-scale until the capped total meets the target
        total = sum(min(cap[v], scale * base[v]) for v in range(n_volunteers))
        scale *= n_entries / total
    counts = [stochastic_round(min(cap[v], scale * base[v]), rng) for v in range(n_volunteers)]
    return station_of, join, counts


def plan_entries(join, counts, days, rng):
    """Entries bucketed by day, each an int packing (time of day, volunteer,
    kind, amount) so a day's bucket sorts by time as plain ints."""
    buckets = [[] for _ in range(days)]
    randrange, random_, gauss, sample = rng.randrange, rng.random, rng.gauss, rng.sample
    task_points, bonus_points = TASK_POINTS, BONUS_POINTS
    n_task_points, n_bonus_points = len(task_points), len(bonus_points)
    hour = 3_600_000_000

    def clamp(t):
        return 0 if t < 0 else US_PER_DAY - 1 if t >= US_PER_DAY else int(t)

    for v, n in enumerate(counts):
        if n == 0:
            continue
        first = join[v]
        active = days - first
        checkins = min(active, stochastic_round(n * CHECKIN_SHARE, rng))
        redemptions = stochastic_round(n * REDEMPTION_SHARE, rng)
        bonuses = stochastic_round(n * BONUS_SHARE, rng)
        tasks = max(0, n - checkins - redemptions - bonuses)
        vid_code = v << 12
        for day in sample(range(first, days), checkins):
            # Mornings before work, or evenings after it.
            t = gauss(8 * hour, hour) if random_() < 0.6 else gauss(19.5 * hour, 1.5 * hour)
            buckets[day].append((clamp(t) << 40) | vid_code | (CHECKIN << 8))
        for _ in range(tasks):
            t = 8 * hour + random_() * 14 * hour
            buckets[randrange(first, days)].append(
                (int(t) << 40) | vid_code | (TASK << 8) | task_points[randrange(n_task_points)]
            )
        for _ in range(bonuses):
            t = 9 * hour + random_() * 9 * hour
            buckets[randrange(first, days)].append(
                (int(t) << 40) | vid_code | (BONUS << 8) | bonus_points[randrange(n_bonus_points)]
            )
        for _ in range(redemptions):
            t = 9 * hour + random_() * 12 * hour
            # When the redeeming volunteer has points by then is decided later.
            buckets[randrange(first + (active // 3), days)].append((int(t) << 40) | vid_code | (REDEMPTION << 8))
    return buckets


def redemption_code(number):
    chars = []
    for _ in range(8):
        number, digit = divmod(number, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[digit])
    return "".join(reversed(chars))


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def insert_sql(model, columns=None):
    columns = columns or [field.column_name for field in model._meta.sorted_fields]
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    return f'INSERT INTO "{model._meta.table_name}" ({names}) VALUES ({marks})'


class City:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.out = Path(args.out)
        self.db_path = self.out / "city.sqlite3"
        self.today = date.fromisoformat(args.today) if args.today else station_today()
        self.first_day = self.today - timedelta(days=args.days)
        self.timings = {}

    # -- helpers -----------------------------------------------------------

    def utc_text(self, day, us):
        """The naive-UTC text peewee stores for station-local ``day`` + ``us``."""
        us -= UTC_OFFSET_HOURS * 3_600_000_000
        if us < 0:
            day -= 1
            us += US_PER_DAY
        seconds, micro = divmod(us, 1_000_000)
        minutes, sec = divmod(seconds, 60)
        hours, minute = divmod(minutes, 60)
        return f"{self.day_text[day]} {hours:02d}:{minute:02d}:{sec:02d}.{micro:06d}"

    def timed(self, name, started):
        self.timings[name] = round(time.perf_counter() - started, 1)

    # -- the whole run -----------------------------------------------------

    def generate(self):
        args, rng = self.args, self.rng
        self.out.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.db_path}{suffix}").unlink(missing_ok=True)
        days = args.days
        # day index -1 … days; day ``days`` is today
        self.day_text = {d: (self.first_day + timedelta(days=d)).isoformat() for d in range(-1, days + 2)}
        self.month_of_day = {d: text[:7] for d, text in self.day_text.items()}

        started = time.perf_counter()
        self.stations = plan_stations(args.stations, rng)
        write_station_files(self.out / "stations", self.stations)
        log(f"{len(self.stations)} station files in {self.out / 'stations'}")

        station_of, join, counts = plan_volunteers(args.volunteers, len(self.stations), args.entries, days, rng)
        buckets = plan_entries(join, counts, days, rng)
        self.timed("plan", started)
        log(f"planned {sum(map(len, buckets)):,} entries for {args.volunteers:,} volunteers")

        database = SqliteDatabase(str(self.db_path), pragmas=LOAD_PRAGMAS)
        db.database.initialize(database)
        database.connect()
        for model in CORE_MODELS:
            model._schema.create_table(safe=False)  # the secondary indexes come after the load
        conn = database.connection()
        conn.execute("BEGIN")

        started = time.perf_counter()
        staff = self.write_stations_and_staff(conn)
        self.write_rewards(conn, staff)
        self.timed("stations_staff_rewards", started)

        started = time.perf_counter()
        balance, earned = self.write_ledger(conn, buckets, station_of, staff)
        del buckets
        self.timed("ledger", started)
        log(f"ledger written: {self.counts['ledgerentry']:,} entries, {self.counts['checkin']:,} check-ins")

        started = time.perf_counter()
        self.write_volunteers(conn, station_of, join, balance, earned)
        self.write_tokens(conn, station_of, counts)
        self.timed("volunteers_tokens", started)
        conn.execute("COMMIT")
        log("volunteers and tokens written")

        started = time.perf_counter()
        for model in CORE_MODELS:
            model._schema.create_indexes(safe=False)
        self.timed("indexes", started)
        log("indexes built")
        database.close()

        # Reopen as the app does (WAL, foreign keys on) and add plugin tables.
        started = time.perf_counter()
        database = db.make_database(f"sqlite:///{self.db_path}")
        db.database.initialize(database)
        database.connect()
        registry = plugin_registry()
        database.create_tables([SchemaMigration, *registry.models])
        # made with today's models, as init-db makes a database: every migration counts as applied
        SchemaMigration.insert_many(
            [{"owner": m.owner, "name": m.name} for source in sources_for(registry) for m in source.migrations()]
        ).execute()
        database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        database.close()
        self.timed("finish", started)

        meta = {
            "database": str(self.db_path),
            "stations_dir": str(self.out / "stations"),
            "tokens": str(self.out / "tokens.txt"),
            "read_tokens": str(self.out / "read_tokens.txt"),
            "password": PASSWORD,
            "today": self.today.isoformat(),
            "first_day": self.first_day.isoformat(),
            "days": days,
            "seed": args.seed,
            "requested": {"volunteers": args.volunteers, "entries": args.entries, "stations": args.stations},
            "counts": self.counts,
            "database_bytes": self.db_path.stat().st_size,
            "seconds": self.timings,
        }
        (self.out / "city.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
        log(f"done: {self.db_path} ({meta['database_bytes'] / 1e9:.2f} GB); counts {self.counts}")
        return meta

    def write_stations_and_staff(self, conn):
        """Station rows (ids in slug order) and, per station, two officers and
        an admin; returns ``{station_index: (officer ids, admin id)}``."""
        created = f"{self.day_text[-1]} 02:00:00.000000"
        conn.executemany(
            insert_sql(Station), [(i + 1, slug, created) for i, (slug, *_rest) in enumerate(self.stations)]
        )
        self.password_hash = generate_password_hash(PASSWORD)
        rows, staff = [], {}
        user_id = 0
        for index, (_slug, name, *_rest) in enumerate(self.stations):
            ids = []
            for role, title in (("officer", "民警"), ("officer", "民警"), ("station_admin", "管理员")):
                user_id += 1
                ids.append(user_id)
                rows.append(
                    (
                        user_id,
                        index + 1,
                        role,
                        f"13{user_id:09d}",
                        f"{name}{title}{len(ids)}",
                        self.password_hash,
                        None,
                        None,
                        None,
                        0,
                        0,
                        role == "officer",
                        True,
                        created,
                    )
                )
            staff[index] = (ids[:2], ids[2])
        conn.executemany(insert_sql(User), rows)
        self.staff_count = user_id
        self.counts = {"station": len(self.stations), "staff": user_id}
        return staff

    def write_rewards(self, conn, staff):
        created = f"{self.day_text[0]} 02:00:00.000000"
        rows = []
        for index, _station in enumerate(self.stations):
            for number, (name, cost) in enumerate(REWARDS):
                rows.append(
                    (
                        index * len(REWARDS) + number + 1,
                        index + 1,
                        name,
                        "",
                        None,
                        cost,
                        40 + self.rng.randrange(200),
                        None,
                        None,
                        None,
                        None,
                        "社区便利店",
                        "派出所旁 1 号",
                        "09:00–21:00",
                        True,
                        staff[index][1],
                        created,
                    )
                )
        conn.executemany(insert_sql(Reward), rows)
        self.counts["reward"] = len(rows)

    def write_ledger(self, conn, buckets, station_of, staff):
        """Entries day by day in time order, with their check-ins,
        redemptions and month figures; returns balances and earned totals."""
        rng = self.rng
        n_volunteers = len(station_of)
        first_volunteer_id = self.staff_count + 1
        balance = [0] * n_volunteers
        earned = [0] * n_volunteers
        by_month = {}  # (volunteer index, month) -> earned, in first-seen order
        checkin_points = [points for *_rest, points in self.stations]
        checkin_breakdown = {
            p: dumps([{"rule": "core.checkin", "label": {"zh": "每日签到", "en": "Daily check-in"}, "points": p}])
            for p in set(checkin_points)
        }
        task_breakdown = {
            (t, p): dumps([{"rule": f"task.{key}", "label": {"zh": zh, "en": en}, "points": p}])
            for t, (key, zh, en) in enumerate(TASK_TYPES)
            for p in TASK_POINTS
        }
        task_reason = [f"任务：{zh}" for _key, zh, _en in TASK_TYPES]
        bonus_breakdown = {
            p: dumps([{"rule": "core.bonus", "label": {"zh": "表彰奖励", "en": "Bonus"}, "points": p}])
            for p in BONUS_POINTS
        }
        redemption_breakdown = {
            cost: dumps([{"rule": "core.redemption", "label": {"zh": "兑换", "en": "Redemption"}, "points": -cost}])
            for _name, cost in REWARDS
        }
        ledger_sql, checkin_sql, redemption_sql = insert_sql(LedgerEntry), insert_sql(CheckIn), insert_sql(Redemption)
        entry_id = checkin_id = redemption_id = 0
        last_checkin_day, streak_of = {}, {}  # per volunteer, for CheckIn.streak (days come in order)
        n_tasks = len(TASK_TYPES)
        randrange = rng.randrange
        utc_text = self.utc_text
        for day, bucket in enumerate(buckets):
            bucket.sort()
            day_text = self.day_text[day]
            month = self.month_of_day[day]
            checkin_reason = f"签到 {day_text}"
            ledger_rows, checkin_rows, redemption_rows = [], [], []
            for code in bucket:
                v = (code >> 12) & 0xFFFFFFF
                kind = (code >> 8) & 0xF
                amount = code & 0xFF
                station_index = station_of[v]
                station_id = station_index + 1
                vid = first_volunteer_id + v
                created = utc_text(day, code >> 40)
                if kind == CHECKIN:
                    amount = checkin_points[station_index]
                    entry_id += 1
                    ledger_rows.append(
                        (
                            entry_id,
                            station_id,
                            vid,
                            amount,
                            "checkin",
                            checkin_reason,
                            checkin_breakdown[amount],
                            vid,
                            created,
                            day_text,
                            amount,
                            f"checkin:{vid}:{day_text}",
                            None,
                        )
                    )
                    checkin_id += 1
                    streak = streak_of[v] + 1 if last_checkin_day.get(v) == day - 1 else 1
                    last_checkin_day[v], streak_of[v] = day, streak
                    checkin_rows.append((checkin_id, station_id, vid, day_text, entry_id, streak, created))
                elif kind == TASK:
                    task = randrange(n_tasks)
                    entry_id += 1
                    ledger_rows.append(
                        (
                            entry_id,
                            station_id,
                            vid,
                            amount,
                            "task",
                            task_reason[task],
                            task_breakdown[task, amount],
                            staff[station_index][0][entry_id & 1],
                            created,
                            day_text,
                            amount,
                            f"task:{entry_id}",
                            None,
                        )
                    )
                elif kind == BONUS:
                    entry_id += 1
                    ledger_rows.append(
                        (
                            entry_id,
                            station_id,
                            vid,
                            amount,
                            "bonus",
                            "表彰奖励",
                            bonus_breakdown[amount],
                            staff[station_index][1],
                            created,
                            day_text,
                            amount,
                            f"bonus:{entry_id}",
                            None,
                        )
                    )
                else:  # a redemption, of the dearest reward the balance allows (if any)
                    affordable = [r for r in range(len(REWARDS)) if REWARDS[r][1] <= balance[v]]
                    if not affordable:
                        continue
                    reward_number = affordable[randrange(len(affordable))]
                    name, cost = REWARDS[reward_number]
                    amount = -cost
                    entry_id += 1
                    redemption_id += 1
                    code_text = redemption_code(redemption_id * 7919 + 104729)
                    ledger_rows.append(
                        (
                            entry_id,
                            station_id,
                            vid,
                            amount,
                            "redemption",
                            f"兑换 {name}",
                            redemption_breakdown[cost],
                            vid,
                            created,
                            day_text,
                            0,
                            f"redemption:{code_text}",
                            None,
                        )
                    )
                    created_dt = datetime.fromisoformat(created)
                    if day < self.args.days - 7:
                        state, collected_at = "collected", str(created_dt + timedelta(hours=1 + randrange(48)))
                        collected_by = staff[station_index][0][redemption_id & 1]
                    else:
                        state, collected_at, collected_by = "reserved", None, None
                    redemption_rows.append(
                        (
                            redemption_id,
                            station_id,
                            station_index * len(REWARDS) + reward_number + 1,
                            vid,
                            code_text,
                            state,
                            cost,
                            month,
                            entry_id,
                            None,
                            created,
                            str(created_dt + timedelta(days=7)),
                            collected_at,
                            collected_by,
                            None,
                        )
                    )
                    balance[v] -= cost
                    continue
                balance[v] += amount
                earned[v] += amount
                key = (v, month)
                by_month[key] = by_month.get(key, 0) + amount
            conn.executemany(ledger_sql, ledger_rows)
            conn.executemany(checkin_sql, checkin_rows)
            if redemption_rows:
                conn.executemany(redemption_sql, redemption_rows)
            bucket.clear()
        conn.executemany(
            insert_sql(EarnedByMonth),
            (
                (number, station_of[v] + 1, first_volunteer_id + v, month, total)
                for number, ((v, month), total) in enumerate(by_month.items(), start=1)
            ),
        )
        self.counts.update(
            ledgerentry=entry_id, checkin=checkin_id, redemption=redemption_id, earnedbymonth=len(by_month)
        )
        return balance, earned

    def write_volunteers(self, conn, station_of, join, balance, earned):
        rng = self.rng
        first_id = self.staff_count + 1
        # Unique mobile numbers: 15x/18x/19x prefixes over a scrambled counter.
        prefixes = ["150", "151", "152", "157", "158", "159", "182", "183", "187", "188", "189", "199"]
        stride = 7_654_321  # coprime with 10**8, so the counter maps one-to-one
        surnames = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
        given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
        rows = []
        for v in range(len(station_of)):
            vid = first_id + v
            prefix = prefixes[v % len(prefixes)]
            phone = f"{prefix}{(v // len(prefixes) * stride) % 10**8:08d}"
            joined = self.utc_text(join[v] - 1, 9 * 3_600_000_000 + rng.randrange(3_600_000_000))
            rows.append(
                (
                    vid,
                    station_of[v] + 1,
                    "volunteer",
                    phone,
                    surnames[v % len(surnames)] + given[(v * 7) % len(given)] + given[(v * 13 + 3) % len(given)],
                    self.password_hash,
                    rng.choices(OCCUPATIONS, OCCUPATION_WEIGHTS)[0],
                    OATH_VERSION,
                    joined,
                    balance[v],
                    earned[v],
                    False,
                    True,
                    joined,
                )
            )
        conn.executemany(insert_sql(User), rows)
        self.counts["volunteer"] = len(rows)

    def write_tokens(self, conn, station_of, counts):
        """A token per volunteer; ``tokens.txt`` lists them weighted by activity."""
        rng = self.rng
        first_id = self.staff_count + 1
        created = f"{self.day_text[self.args.days - 1]} 12:00:00.000000"
        tokens = [secrets.token_urlsafe(32) for _ in station_of]
        conn.executemany(
            insert_sql(ApiToken),
            ((v + 1, first_id + v, _digest(token), created, None) for v, token in enumerate(tokens)),
        )
        # Efraimidis–Spirakis: a random order in which busier volunteers come earlier.
        order = sorted(
            range(len(tokens)), key=lambda v: math.log(rng.random() or 1e-300) / (counts[v] + 1), reverse=True
        )
        slugs = [slug for slug, *_rest in self.stations]
        with open(self.out / "tokens.txt", "w") as file:
            file.writelines(f"{tokens[v]} {slugs[station_of[v]]} {first_id + v}\n" for v in order)
        # For reads, draws with replacement from the same weights: the same
        # mix of busy and quiet volunteers whatever the size of the city.
        draws = rng.choices(range(len(tokens)), weights=[count + 1 for count in counts], k=READ_DRAWS)
        with open(self.out / "read_tokens.txt", "w") as file:
            file.writelines(f"{tokens[v]} {slugs[station_of[v]]} {first_id + v}\n" for v in draws)
        self.counts["apitoken"] = len(tokens)


def plugin_registry():
    """What the installed plugins registered (their models and migrations), as ``create_app`` finds it."""
    from core.plugins import PluginRegistry, make_plugin_manager

    return PluginRegistry(make_plugin_manager())


def verify(database_path, today=None):
    """verify_balances() and SQLite's own checks; raises SystemExit on any
    problem. With ``today``, also that nobody has checked in on it or later
    (a freshly made city)."""
    from core.points import verify_balances

    database = db.make_database(f"sqlite:///{database_path}")
    db.database.initialize(database)
    database.connect()
    started = time.perf_counter()
    problems = verify_balances()
    foreign = database.execute_sql("PRAGMA foreign_key_check").fetchall()
    integrity = database.execute_sql("PRAGMA quick_check").fetchone()[0]
    late_checkins = CheckIn.select().where(CheckIn.local_date >= today).count() if today else 0
    database.close()
    log(
        f"{database_path}: verify_balances: {len(problems)} problems; foreign_key_check: {len(foreign)} rows; "
        f"quick_check: {integrity}"
        + (f"; check-ins on {today} or later: {late_checkins}" if today else "")
        + f" ({time.perf_counter() - started:.1f}s)"
    )
    if problems or foreign or integrity != "ok" or late_checkins:
        for problem in problems[:20]:
            print("  ", problem)
        raise SystemExit(f"{database_path}: inconsistent")
    return {"verify_balances_problems": 0, "foreign_key_problems": 0, "quick_check": integrity}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="directory for city.sqlite3, stations/, tokens.txt, city.json")
    parser.add_argument("--volunteers", type=int, default=200_000)
    parser.add_argument("--entries", type=int, default=5_000_000, help="ledger entries, about")
    parser.add_argument("--stations", type=int, default=150)
    parser.add_argument("--days", type=int, default=365, help="station-local days of history, ending yesterday")
    parser.add_argument("--today", help="the station-local day the city ends before (default: today in Asia/Shanghai)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--verify", action="store_true", help="run verify_balances() and SQLite's checks afterwards")
    parser.add_argument("--verify-only", action="store_true", help="only check the city already in OUT_DIR")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.verify_only:
        meta = json.loads(Path(args.out, "city.json").read_text())
        return verify(meta["database"])
    meta = City(args).generate()
    if args.verify:
        meta["verified"] = verify(meta["database"], meta["today"])
        Path(args.out, "city.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
    return meta


if __name__ == "__main__":
    main()
