"""`floorbridge report` (`floorbridge purge` and `privacy` are in app/privacy/cli.py).

Wired into app/cli.py by `add_commands`, so the shared parser needs one line for it; what
both share is in app/cli_support.py, so this module does not import app/cli.py back.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli_support import apply_db_url, fail, open_store
from app.models import require_id


def _write(text: str | bytes, out: str | None) -> None:
    if not out or out == "-":
        if isinstance(text, bytes):
            sys.stdout.buffer.write(text)
        else:
            sys.stdout.write(text)
        return
    try:
        if isinstance(text, bytes):
            Path(out).write_bytes(text)
        else:
            Path(out).write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror}")
    print(f"report written to {out}", file=sys.stderr)


def cmd_report(args: argparse.Namespace) -> None:
    from app.domains import default_registry
    from app.report.builder import build_report
    from app.report.formats import render
    from app.sessions.service import get_by_slug

    apply_db_url(args.database_url)
    store = open_store()
    try:
        report = store.read_sync(
            lambda db: build_report(
                db, require_id(get_by_slug(db, args.slug)), default_registry().sections
            )
        )
    finally:
        store.stop()
    from app.errors import DomainError

    try:
        body = render(report, args.format)
    except DomainError as exc:
        fail(str(exc))
    _write(body, args.output)


def add_commands(sub: argparse._SubParsersAction) -> None:
    from app.report.formats import FORMATS

    rep = sub.add_parser(
        "report", help="write a session's report (md, html, json, csv, pdf or form)"
    )
    rep.add_argument("slug")
    rep.add_argument("--format", default="md", choices=list(FORMATS))
    rep.add_argument("-o", "--output", help="file to write (default: standard output)")
    rep.add_argument("--database-url")
    rep.set_defaults(func=cmd_report)
