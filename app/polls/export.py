"""CSV export of one poll: per option and channel, turnout, and the word cloud's words.

Cells that a spreadsheet would run as a formula (=, +, -, @ first) get a leading quote.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from app.polls.tally import CHANNELS

HEADER = ["poll_id", "question", "kind", "state", "row", "label", "channel", "count", "percent"]


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def poll_csv(poll: dict[str, Any]) -> str:
    r = poll["results"]
    head = [poll["id"], poll["question"], poll["kind"], poll["state"]]
    rows: list[list[Any]] = []
    for channel in ("all", *CHANNELS):
        count = r["total"] if channel == "all" else r["turnout"].get(channel, 0)
        rows.append([*head, "turnout", "", channel, count, ""])
    for option in r["options"]:
        rows.append([*head, "option", option["label"], "all", option["count"], option["percent"]])
        for channel in CHANNELS:
            count = option["channels"].get(channel, 0)
            rows.append([*head, "option", option["label"], channel, count, ""])
    for word in r.get("words", []):
        rows.append([*head, "word", word["word"], "all", word["count"], ""])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()
