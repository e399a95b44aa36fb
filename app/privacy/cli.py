"""`floorbridge purge`, `floorbridge privacy export|erase`.

Wired into app/cli.py by `add_commands`, as app/report/cli.py is; what the commands share
is in app/cli_support.py, so this module does not import app/cli.py back.
"""

from __future__ import annotations

import argparse
import json

from app.cli_support import apply_db_url, open_store


def cmd_purge(args: argparse.Namespace) -> None:
    from app.domains import default_registry
    from app.privacy.service import parse_age, purge

    apply_db_url(args.database_url)
    older_than = parse_age(args.older_than) if args.older_than else None
    store = open_store()
    try:
        totals = store.write_sync(
            lambda db: purge(db, older_than=older_than, registry=default_registry())
        )
    finally:
        store.stop()
    print(json.dumps(totals, indent=2))


def cmd_privacy(args: argparse.Namespace) -> None:
    from app.domains import default_registry
    from app.privacy.service import Subject, erase_subject, export_subject

    apply_db_url(args.database_url)
    subject = Subject(args.channel, args.handle)
    store = open_store()
    try:
        if args.command == "export":
            out = store.read_sync(
                lambda db: export_subject(db, args.session, subject, default_registry())
            )
        else:
            out = store.write_sync(
                lambda db: erase_subject(db, args.session, subject, default_registry())
            )
    finally:
        store.stop()
    print(json.dumps(out, indent=2, ensure_ascii=False))


def add_commands(sub: argparse._SubParsersAction) -> None:
    pur = sub.add_parser("purge", help="remove personal data past the retention period")
    pur.add_argument(
        "--older-than", help="e.g. 30d, 12h; default: each session's own retention period"
    )
    pur.add_argument("--database-url")
    pur.set_defaults(func=cmd_purge)

    priv = sub.add_parser("privacy", help="subject access: export or erase one person's data")
    psub = priv.add_subparsers(dest="command", required=True)
    for name, text in (("export", "print everything held"), ("erase", "delete it")):
        sp = psub.add_parser(name, help=text)
        sp.add_argument("--session", required=True, help="session slug")
        sp.add_argument("--channel", required=True, help="audience, zoom_chat, mastodon, ...")
        sp.add_argument("--handle", required=True, help="the person's id on that channel")
        sp.add_argument("--database-url")
        sp.set_defaults(func=cmd_privacy)
