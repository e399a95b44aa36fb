"""docker-compose.yml is valid and describes the scaled-out topology. No Docker engine runs
here: `docker compose config` needs none, it resolves and validates the file."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from .conftest import missing

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {
    "POSTGRES_PASSWORD": "pg-secret",
    "FLOORBRIDGE_ADMIN_TOKEN": "admin-secret",
    "FLOORBRIDGE_SECRET_KEY": "cookie-secret",
}


def compose_command() -> list[str]:
    """The compose plugin (`docker compose`), or the standalone `docker-compose`."""
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    missing(
        "docker compose",
        "install the Docker compose plugin (docker-compose-plugin) or, on Debian, "
        "`apt-get install docker-compose`",
    )
    raise AssertionError("unreachable")


def config(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in SECRETS}
    return subprocess.run(
        [*compose_command(), "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        env={**clean, **env},
        cwd=ROOT,
        timeout=60,
    )


@pytest.fixture(scope="module")
def resolved() -> dict:
    run = config(SECRETS)
    assert run.returncode == 0, run.stderr
    return yaml.safe_load(run.stdout)


def test_compose_has_postgres_redis_two_app_replicas_and_a_proxy(resolved):
    services = resolved["services"]
    apps = [s for name, s in services.items() if name.startswith("app")]
    assert len(apps) >= 2
    for app in apps:
        env = app["environment"]
        assert env["FLOORBRIDGE_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert "@postgres:5432/" in env["FLOORBRIDGE_DATABASE_URL"]
        assert env["FLOORBRIDGE_BUS_URL"].startswith("redis://redis:6379")
        assert env["FLOORBRIDGE_SECRET_KEY"] == "cookie-secret"  # the same on every replica
        assert "/readyz" in " ".join(app["healthcheck"]["test"])
    for name in ("postgres", "redis", "proxy"):
        assert name in services
        assert name == "proxy" or services[name].get("healthcheck")
    assert {"pgdata", "redisdata"} <= set(resolved["volumes"])


def test_the_proxy_sends_to_every_replica_and_hides_metrics(resolved):
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    apps = sorted(n for n in resolved["services"] if n.startswith("app"))
    upstream = re.search(r"^\s*reverse_proxy ([^{\n]+)\{", caddyfile, re.M)
    assert upstream is not None
    assert sorted(u.split(":")[0] for u in upstream.group(1).split()) == apps
    assert re.search(r"@internal path [^\n]*/metrics", caddyfile)
    mounts = " ".join(str(v) for v in resolved["services"]["proxy"]["volumes"])
    assert "Caddyfile" in mounts


def test_compose_refuses_to_start_without_the_secrets():
    run = config({k: v for k, v in SECRETS.items() if k != "FLOORBRIDGE_SECRET_KEY"})
    assert run.returncode != 0
    assert "FLOORBRIDGE_SECRET_KEY" in run.stderr
