"""`floorbridge`: serve, demo, sessions, database. Errors are one line and exit 2, never a trace."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from app.cli_support import apply_db_url, fail, is_redis, open_store
from app.errors import DomainError


def _base_url(args: argparse.Namespace) -> str:
    from app.config import get_settings

    if getattr(args, "base_url", None):
        return args.base_url.rstrip("/")
    return (get_settings().public_url or "http://127.0.0.1:8000").rstrip("/")


def run_server(
    host: str,
    port: int,
    on_start: Any = None,
    workers: int = 1,
    log_level: str = "info",
    access_log: bool = False,
    on_listening: Callable[[], None] | None = None,
) -> None:
    """Access logging is off unless asked for: a line per request costs a fifth of the
    throughput of a vote burst, and the proxy in front logs requests anyway.

    `on_start` runs in the app's start-up, before the socket is bound; `on_listening` once
    connections are accepted (what prints links someone may open at once goes there; one
    process only: the demo's case)."""
    import uvicorn

    from app.config import get_settings
    from app.hosts import exposure_warning
    from app.main import create_app
    from app.serving import tune_gc, uvicorn_options

    warning = exposure_warning(host, get_settings())
    if warning:
        print(f"floorbridge: {warning}", file=sys.stderr, flush=True)

    config: dict[str, Any] = dict(
        host=host,
        port=port,
        **uvicorn_options(),
        proxy_headers=True,
        log_level=log_level,
        access_log=access_log,
    )
    if workers > 1:
        uvicorn.run("app.serving:create_worker_app", factory=True, workers=workers, **config)
    else:
        app = create_app(on_start=on_start)
        tune_gc()
        _serve_one(app, config, on_listening)


def _serve_one(app: Any, config: dict[str, Any], on_listening: Callable[[], None] | None) -> None:
    """`uvicorn.run` for one process, calling `on_listening` once it listens: uvicorn runs
    the app's start-up (lifespan) before it binds, so links printed there could be refused."""
    import uvicorn

    class Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            if self.started and on_listening is not None:
                on_listening()

    server = Server(uvicorn.Config(app, **config))
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    if not server.started:
        sys.exit(3)  # what uvicorn.run exits with when start-up fails


def cmd_serve(args: argparse.Namespace) -> None:
    apply_db_url(args.database_url)
    if args.workers > 1:
        _check_scale_out()
    run_server(args.host, args.port, workers=args.workers, access_log=args.access_log)


def _check_scale_out() -> None:
    """Several workers share state through PostgreSQL and events through Redis only."""
    from app.config import get_settings

    settings = get_settings()
    if settings.resolved_database_url().startswith("sqlite"):
        fail(
            "--workers needs PostgreSQL: SQLite serves one process only "
            "(set --database-url or FLOORBRIDGE_DATABASE_URL to postgresql+psycopg://...)"
        )
    if not is_redis(settings.bus_url):
        fail(
            "--workers needs FLOORBRIDGE_BUS_URL=redis://...: with the in-process bus, "
            "sockets on one worker would not hear changes made on another"
        )


def cmd_demo(args: argparse.Namespace) -> None:
    from app.config import get_settings
    from app.hosts import demo_base_url, is_loopback

    apply_db_url(args.database_url)
    if not get_settings().public_url and not is_loopback(args.host):
        # Bound to the network: links and the QR code carry an address a phone on the same
        # network can open (the LAN address for 0.0.0.0), for every request.
        os.environ["FLOORBRIDGE_PUBLIC_URL"] = demo_base_url(args.host, args.port)
        apply_db_url(None)
    base = demo_base_url(args.host, args.port)

    announcement: list[str] = []

    async def on_start(state: Any) -> None:
        from app.demo import open_demo, simulate_remote_audience
        from app.sessions.service import links

        session_id, slug, keys = await open_demo(state)
        announcement.append(
            "\nFloorbridge demo: IGF 2023 WS #499 'Data for Good' (90-minute round table)"
        )
        for role, url in links(state.settings.public_url or base, slug, keys).items():
            announcement.append(f"  {role:<11} {url}")
        announcement.append("Remote messages are simulated (labelled so on every page).\n")
        if not args.no_simulator:
            pace = (args.pace * 0.5, args.pace * 1.5)
            state.tasks.spawn(simulate_remote_audience(state, session_id, pace=pace))

    def on_listening() -> None:  # the links, once they can be opened
        print("\n".join(announcement), flush=True)

    run_server(
        args.host,
        args.port,
        on_start=on_start,
        access_log=args.access_log,
        on_listening=on_listening,
    )


def _read_agenda(path: str) -> list[dict[str, Any]]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"cannot read agenda file {path}: {exc.strerror}")
    try:
        data = json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        fail(
            f"agenda file {path} is not valid {'JSON' if path.endswith('.json') else 'YAML'}: {exc}"
        )
    if isinstance(data, dict):
        data = data.get("agenda", [])
    if not isinstance(data, list):
        fail(f"agenda file {path} must hold a list of segments (or a mapping with 'agenda')")
    return data


def cmd_session_create(args: argparse.Namespace) -> None:
    from app.sessions.schemas import SessionCreate
    from app.sessions.service import create_session, links

    apply_db_url(args.database_url)
    body: dict[str, Any] = {"title": args.title, "slug": args.slug}
    if args.agenda:
        body["agenda"] = _read_agenda(args.agenda)
    body["zoom_ids"] = args.zoom_id or []
    body["hashtags"] = args.hashtag or []
    body["privacy"] = {"author_display": args.author_display}
    body["lang"] = args.lang
    body["captions_url"] = args.captions_url
    try:
        parsed = SessionCreate.model_validate(body)
    except ValidationError as exc:
        fail("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()))
    store = open_store()
    try:
        session, keys = store.write_sync(lambda db: create_session(db, parsed))
    finally:
        store.stop()
    if parsed.zoom_ids:
        _signal_zoom_routes()
    print(
        json.dumps(
            {
                "slug": session.slug,
                "links": links(_base_url(args), session.slug, keys),
                "keys": keys,
            },
            indent=2,
        )
    )


def _signal_zoom_routes() -> None:
    """Running workers re-read their Zoom routes now (with Redis); else within 5 s."""
    from app.config import get_settings
    from app.sessions.service import ZOOM_ROUTES

    url = get_settings().bus_url
    if not is_redis(url):
        return
    from redis.exceptions import RedisError

    from app.live.redis_bus import signal_now

    try:
        signal_now(url, ZOOM_ROUTES)
    except (RedisError, OSError) as exc:
        print(f"floorbridge: note: could not tell running servers ({exc}); "
              "they pick up the Zoom link within 5 s", file=sys.stderr)


def cmd_session_links(args: argparse.Namespace) -> None:
    from app.sessions.service import ROLE_PAGES, get_by_slug, links, rotate_keys

    apply_db_url(args.database_url)
    store = open_store()
    try:
        if args.new_keys or args.command == "rotate-keys":
            keys = store.write_sync(lambda db: rotate_keys(db, args.slug))
            out: dict[str, Any] = {
                "slug": args.slug,
                "links": links(_base_url(args), args.slug, keys),
                "keys": keys,
            }
        else:
            store.read_sync(lambda db: get_by_slug(db, args.slug))
            base = _base_url(args)
            out = {
                "slug": args.slug,
                "pages": {r: f"{base}/s/{args.slug}/{p}" for r, p in ROLE_PAGES.items()}
                | {"audience": f"{base}/s/{args.slug}"},
                "note": "keys are stored only as hashes; --new-keys issues new links "
                "(old links and devices stop working)",
            }
    finally:
        store.stop()
    print(json.dumps(out, indent=2))


def cmd_zoom_send(args: argparse.Namespace) -> None:
    """Sign and post a payload exactly as Zoom does, to test a deployment before the event."""
    from integrations.zoom_send import send_command

    if not Path(args.payload).is_file():
        fail(f"cannot read payload file {args.payload}")
    raise SystemExit(send_command(args.secret, args.url, args.payload))


def cmd_db_upgrade(args: argparse.Namespace) -> None:
    from app.config import get_settings
    from app.migrate import upgrade

    apply_db_url(args.database_url)
    upgrade(get_settings().resolved_database_url())
    print("database is up to date")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="floorbridge", description=__doc__)
    sub = p.add_subparsers(dest="group", required=True)

    def server_opts(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--host", default="127.0.0.1")
        sp.add_argument("--port", type=int, default=8000)
        sp.add_argument("--database-url", help="default: SQLite in $FLOORBRIDGE_DATA_DIR")
        sp.add_argument("--access-log", action="store_true", help="log every HTTP request")

    serve = sub.add_parser("serve", help="run the server")
    server_opts(serve)
    serve.add_argument("--workers", type=int, default=1, help="needs PostgreSQL and Redis when > 1")
    serve.set_defaults(func=cmd_serve)

    demo = sub.add_parser("demo", help="run the server with the IGF 2023 demo session")
    server_opts(demo)
    demo.add_argument("--no-simulator", action="store_true", help="no simulated remote messages")
    demo.add_argument("--pace", type=float, default=7.0,
                      help="average seconds between simulated remote messages (default 7)")
    demo.set_defaults(func=cmd_demo)

    session = sub.add_parser("session", help="create sessions, print or rotate their links")
    ssub = session.add_subparsers(dest="command", required=True)
    create = ssub.add_parser("create")
    create.add_argument("--title", required=True)
    create.add_argument("--slug")
    create.add_argument("--agenda", help="a YAML or JSON file: [{title, minutes, kind, speaker}]")
    create.add_argument("--zoom-id", type=int, action="append")
    create.add_argument("--hashtag", action="append")
    create.add_argument(
        "--author-display", default="initials", choices=["full", "initials", "anonymous"]
    )
    create.add_argument("--lang", choices=["ar", "zh", "en", "fr", "ru", "es"],
                        help="the pages' and the report's default language (docs/i18n.md)")
    create.add_argument("--captions-url", help="the session's live captions (https://...)")
    for sp, fn in ((create, cmd_session_create),):
        sp.set_defaults(func=fn)
    lnk = ssub.add_parser("links")
    lnk.add_argument("slug")
    lnk.add_argument("--new-keys", action="store_true")
    lnk.set_defaults(func=cmd_session_links)
    rot = ssub.add_parser("rotate-keys")
    rot.add_argument("slug")
    rot.set_defaults(func=cmd_session_links, new_keys=True)
    for sp in (create, lnk, rot):
        sp.add_argument("--database-url")
        sp.add_argument(
            "--base-url", help="public URL for the links (default $FLOORBRIDGE_PUBLIC_URL)"
        )

    zoom = sub.add_parser("zoom", help="test a Zoom webhook deployment")
    zsub = zoom.add_subparsers(dest="command", required=True)
    zsend = zsub.add_parser("send", help="sign and post a payload file as Zoom does")
    zsend.add_argument("--secret", required=True, help="the Zoom app's secret token")
    zsend.add_argument("--url", required=True, help="e.g. https://host/integrations/zoom/webhook")
    zsend.add_argument("payload", help="a JSON payload file (see shared/payloads/zoom-*.json)")
    zsend.set_defaults(func=cmd_zoom_send)

    db = sub.add_parser("db", help="database maintenance")
    dsub = db.add_subparsers(dest="command", required=True)
    up = dsub.add_parser("upgrade", help="apply migrations")
    up.add_argument("--database-url")
    up.set_defaults(func=cmd_db_upgrade)
    from app.privacy.cli import add_commands as add_privacy_commands  # purge, privacy
    from app.report.cli import add_commands as add_report_commands  # report

    add_report_commands(sub)
    add_privacy_commands(sub)
    return p


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    try:
        args.func(args)
    except DomainError as exc:
        fail(exc.detail)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
