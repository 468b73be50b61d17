"""docker/compose.yaml is complete: valid for `docker-compose config`, every mounted file exists or is written by
the documented step, every service has a restart policy and resource limits, nginx gets every template value."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import yaml

from scripts.cluster import compose_files

DOCKER = Path(__file__).resolve().parents[2] / "docker"


def services() -> dict[str, dict]:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text())["services"]


def test_docker_compose_accepts_the_file(tmp_path):
    # compose reads ../.env (env_file): a copy of docker/ beside a throwaway one.
    shutil.copytree(DOCKER, tmp_path / "docker")
    (tmp_path / ".env").write_text("POSTGRES_PASSWORD=x\nMINIO_ROOT_PASSWORD=y\n")
    # The CLI the project installs (.ci/run): it validates against the compose schema, offline, without an engine.
    binary = shutil.which("docker-compose")
    assert binary, "docker-compose is installed by .ci/run"
    result = subprocess.run(
        [binary, "-f", "docker/compose.yaml", "config", "--quiet"], cwd=tmp_path, capture_output=True, text=True,
        env={**os.environ, "POSTGRES_PASSWORD": "x", "MINIO_ROOT_PASSWORD": "y"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_every_mounted_file_is_in_the_repo_or_written_by_the_compose_files_step(tmp_path, monkeypatch):
    copy = tmp_path / "docker"
    shutil.copytree(DOCKER, copy, ignore=shutil.ignore_patterns("userlist.txt", "certs"))
    monkeypatch.setenv("POSTGRES_PASSWORD", "a-password")
    written = compose_files(copy)
    assert (copy / "userlist.txt").read_text() == '"platform" "a-password"\n'
    assert all(path.exists() for path in written)
    for name, service in services().items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                assert (copy / source).exists(), f"{name} mounts {source}, which nothing provides"


def test_every_service_restarts_and_has_limits_and_beat_is_one():
    for name, service in services().items():
        assert service.get("restart") in ("unless-stopped", "always", "no"), name
        limits = service.get("deploy", {}).get("resources", {}).get("limits", {})
        assert limits.get("memory") and limits.get("cpus"), f"{name} has no resource limits"
    for name, service in services().items():
        for needed in service.get("depends_on", []):
            assert needed in services(), f"{name} depends on unknown {needed}"
    assert services()["beat"].get("deploy", {}).get("replicas", 1) == 1
    assert services()["minio-init"]["restart"] == "no"
    assert "mc mb --ignore-existing" in " ".join(services()["minio-init"]["entrypoint"])


def test_nginx_gets_every_template_value_and_pgbouncer_sets_statement_timeout():
    template = (DOCKER / "nginx.conf.template").read_text()
    wanted = set(re.findall(r"\$\{(MP_[A-Z0-9_]+)\}", template))
    given = {key for key in services()["nginx"]["environment"] if key.startswith("MP_")}
    assert wanted == given
    assert "connect_query='SET statement_timeout = 30000'" in (DOCKER / "pgbouncer.ini").read_text()
