"""CSV exports of the ledger, streamed row by row."""

import csv
import io

from .i18n import Text

HEADER = [
    Text("时间(UTC)", "time (UTC)"),
    Text("日期", "station-local date"),
    Text("姓名", "name"),
    Text("手机号码", "phone"),
    Text("类型", "kind"),
    Text("积分", "points"),
    Text("事由", "reason"),
    Text("编号", "entry"),
]


def _safe(text):
    """Stop a spreadsheet from running a cell as a formula (CSV injection)."""
    text = "" if text is None else str(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def ledger_csv(entries):
    """Yield CSV text for ``entries`` (each with ``volunteer``'s name and phone)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush():
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return value

    yield "\ufeff"  # a BOM, so spreadsheet programs read the Chinese as UTF-8
    writer.writerow([str(column) for column in HEADER])
    yield flush()
    for entry in entries:
        writer.writerow(
            [
                entry.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                entry.local_date.isoformat(),
                _safe(entry.name),
                _safe(entry.phone),
                entry.kind,
                entry.amount,
                _safe(entry.reason),
                entry.id,
            ]
        )
        yield flush()
