"""The deployment files (Dockerfile, compose.yaml, deploy/haproxy.cfg) checked without Docker.

HAProxy checks its own config when it is installed (``scripts/system-deps.sh`` installs it);
``docker compose config`` checks compose.yaml when the compose plugin is there. Whatever the
tools on the machine, the structure is checked here, and every ``--flag`` and ``RINGSIDE_*``
variable that the files give ``ringside serve`` must be one that ``ringside serve --help`` lists.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from ringside.cli.app import app
from ringside.server.connection import SILENT_PERIODS
from ringside.server.limits import Limits
from ringside.server.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
COMPOSE = ROOT / "compose.yaml"
HAPROXY_CFG = ROOT / "deploy" / "haproxy.cfg"

CLUSTER_NODES = ("node-a", "node-b", "node-c")
HTTP_PORT, TCP_PORT = 8000, 8001


# --- what the real CLI accepts --------------------------------------------------------------


@cache
def serve_help() -> str:
    result = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    return result.stdout


@cache
def serve_flags() -> frozenset[str]:
    """The options ``ringside serve --help`` lists, each at the start of its row."""
    flags = frozenset(re.findall(r"^[\s│|]*(--[a-z][a-z0-9-]*)", serve_help(), re.MULTILINE))
    assert {"--host", "--port", "--tcp-port", "--redis-url", "--node-id"} <= flags, serve_help()
    return flags


@cache
def serve_envvars() -> frozenset[str]:
    names = frozenset(re.findall(r"env var: (RINGSIDE_[A-Z_]+)", serve_help()))
    assert {"RINGSIDE_DATABASE_URL", "RINGSIDE_REDIS_URL"} <= names, serve_help()
    return names


def flags_of(command: list[str]) -> set[str]:
    return {word.split("=", 1)[0] for word in command if word.startswith("--")}


def option_value(command: list[str], flag: str) -> str:
    """The value given to ``flag`` in an argument list (``--flag VALUE`` or ``--flag=VALUE``)."""
    for i, word in enumerate(command):
        if word == flag:
            return command[i + 1]
        if word.startswith(flag + "="):
            return word.split("=", 1)[1]
    raise AssertionError(f"{flag} not in {command}")


# --- Dockerfile -----------------------------------------------------------------------------


@cache
def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments left out."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in DOCKERFILE.read_text().splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        pending += " " + stripped.removesuffix("\\").strip() if pending else stripped
        if stripped.endswith("\\"):
            continue
        keyword, _, rest = pending.partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
        pending = ""
    assert not pending, "the Dockerfile ends in a continuation line"
    return instructions


def stages() -> list[list[tuple[str, str]]]:
    found: list[list[tuple[str, str]]] = []
    for keyword, rest in dockerfile():
        if keyword == "FROM":
            found.append([])
        found[-1].append((keyword, rest))
    return found


def exec_form(rest: str) -> list[str]:
    words = json.loads(rest)
    assert isinstance(words, list) and all(isinstance(w, str) for w in words), rest
    return words


def test_dockerfile_builds_in_two_stages_from_python_311_slim() -> None:
    build, final = stages()
    assert re.fullmatch(r"python:3\.11-slim AS build", build[0][1], re.IGNORECASE)
    assert final[0][1] == "python:3.11-slim"
    assert ("COPY", "--from=build /opt/ringside /opt/ringside") in final


def test_dockerfile_installs_the_runtime_lock_with_hashes_then_the_project_alone() -> None:
    build, final = stages()
    runs = [rest for keyword, rest in build if keyword == "RUN"]
    lock = [r for r in runs if "-r requirements/runtime.txt" in r]
    assert len(lock) == 1
    assert "pip install --require-hashes --no-deps -r requirements/runtime.txt" in lock[0]
    project = [r for r in runs if re.search(r"pip install [^&]*--no-deps[^&]* \.(\s|$)", r)]
    assert len(project) == 1, runs
    assert "--no-build-isolation" in project[0]  # setuptools comes from the lock too
    # Nothing is installed in the final stage: it only copies the venv.
    assert not any(keyword == "RUN" and "pip" in rest for keyword, rest in final)


def test_dockerfile_runs_as_a_user_who_owns_the_data_volume() -> None:
    _, final = stages()
    users = [rest for keyword, rest in final if keyword == "USER"]
    assert users, "the final stage sets no USER: it would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    assert ("VOLUME", "/data") in final
    setup = " ".join(rest for keyword, rest in final if keyword == "RUN")
    assert re.search(rf"chown {user}(:\S+)? /data", setup), setup
    # The VOLUME comes after the chown, or the volume would be created owned by root.
    keywords = [keyword for keyword, _ in final]
    assert keywords.index("VOLUME") > keywords.index("RUN")


def test_dockerfile_exposes_the_ports_and_checks_healthz_with_python() -> None:
    _, final = stages()
    assert ("EXPOSE", f"{HTTP_PORT} {TCP_PORT}") in final
    checks = [rest for keyword, rest in final if keyword == "HEALTHCHECK"]
    assert len(checks) == 1
    check = checks[0]
    command = exec_form(check[check.index("CMD ") + 4 :])
    assert command[0] == "python", "slim images have no curl: the check runs Python"
    assert "/healthz" in command[-1]


def test_dockerfile_starts_ringside_serve_with_real_options() -> None:
    _, final = stages()
    (entrypoint,) = [exec_form(rest) for keyword, rest in final if keyword == "ENTRYPOINT"]
    (cmd,) = [exec_form(rest) for keyword, rest in final if keyword == "CMD"]
    assert entrypoint == ["ringside"]
    assert cmd[0] == "serve"
    assert option_value(cmd, "--host") == "0.0.0.0"
    assert flags_of(cmd) <= serve_flags()
    envvars = {
        name
        for keyword, rest in final
        if keyword == "ENV"
        for name in re.findall(r"\b(RINGSIDE_[A-Z_]+)=", rest)
    }
    assert envvars <= serve_envvars()


def ignored(path: str, patterns: list[str]) -> bool:
    """Whether .dockerignore leaves ``path`` (or a folder above it) out of the build context."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        if pattern.startswith("**/"):
            if any(fnmatch.fnmatchcase(part, pattern[3:]) for part in parts):
                return True
        elif any(fnmatch.fnmatchcase(prefix, pattern.strip("/")) for prefix in prefixes):
            return True
    return False


def test_dockerfile_copies_only_what_exists_and_is_in_the_context() -> None:
    lines = [line.strip() for line in DOCKERIGNORE.read_text().splitlines()]
    patterns = [line for line in lines if line and not line.startswith("#")]
    assert not any(p.startswith("!") for p in patterns)  # ignored() knows no exceptions
    for must in (".git", ".venv", ".venv-*", "data", "test-artifacts"):
        assert must in patterns
    copied = [
        source
        for keyword, rest in dockerfile()
        if keyword == "COPY" and not rest.startswith("--from")
        for source in rest.split()[:-1]
    ]
    assert "requirements/runtime.txt" in copied
    for source in copied:
        assert (ROOT / source).exists(), source
        assert not ignored(source, patterns), f"{source} is left out by .dockerignore"
    assert ignored(".venv-test/bin/python", patterns)
    assert ignored("src/ringside/__pycache__/x.pyc", patterns)


# --- compose.yaml ---------------------------------------------------------------------------


@cache
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(loaded, dict)
    return loaded


def services() -> dict[str, dict[str, Any]]:
    found = compose()["services"]
    assert isinstance(found, dict)
    return found


def ringside_services() -> dict[str, dict[str, Any]]:
    """The services that run the image of the Dockerfile."""
    return {name: s for name, s in services().items() if s.get("build") == "."}


def test_compose_default_profile_is_postgres_16_and_one_node() -> None:
    default = {name for name, s in services().items() if not s.get("profiles")}
    assert default == {"postgres", "ringside"}
    postgres = services()["postgres"]
    assert postgres["image"].startswith("postgres:16")
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    node = services()["ringside"]
    assert "--redis-url" not in node["command"]
    assert "RINGSIDE_REDIS_URL" not in node.get("environment", {})
    assert node["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert {f"{HTTP_PORT}", f"{TCP_PORT}"} <= {p.rsplit(":", 1)[1] for p in node["ports"]}


def test_compose_cluster_profile_is_redis_three_nodes_and_haproxy() -> None:
    cluster = {name for name, s in services().items() if s.get("profiles") == ["cluster"]}
    assert cluster == {"redis", *CLUSTER_NODES, "haproxy"}
    redis = services()["redis"]
    assert redis["image"].startswith("redis:7")
    assert "redis-cli ping" in " ".join(redis["healthcheck"]["test"]).replace("CMD ", "")
    node_ids, volumes = set(), set()
    for name in CLUSTER_NODES:
        node = services()[name]
        command = node["command"]
        node_ids.add(option_value(command, "--node-id"))
        assert option_value(command, "--redis-url").startswith("redis://redis:6379/")
        assert option_value(command, "--host") == "0.0.0.0"
        assert option_value(command, "--port") == str(HTTP_PORT)
        assert option_value(command, "--tcp-port") == str(TCP_PORT)
        assert node["environment"]["RINGSIDE_DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert "@postgres:" in node["environment"]["RINGSIDE_DATABASE_URL"]
        for dependency in ("postgres", "redis"):
            assert node["depends_on"][dependency]["condition"] == "service_healthy"
        assert "ports" not in node  # reached through HAProxy only
        (volume,) = node["volumes"]
        assert volume.endswith(":/data")
        volumes.add(volume.split(":")[0])
    assert node_ids == set(CLUSTER_NODES)
    assert len(volumes) == len(CLUSTER_NODES)  # a data dir (node id, journal) each
    assert volumes <= set(compose()["volumes"])
    haproxy = services()["haproxy"]
    assert "./deploy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in haproxy["volumes"]
    assert set(haproxy["depends_on"]) == set(CLUSTER_NODES)


def test_compose_gives_ringside_serve_only_options_it_has() -> None:
    nodes = ringside_services()
    assert set(nodes) == {"ringside", *CLUSTER_NODES}
    for name, node in nodes.items():
        command = node["command"]
        assert command[0] == "serve", name
        unknown = flags_of(command) - serve_flags()
        assert not unknown, f"{name} passes {sorted(unknown)}, not options of ringside serve"
        envvars = {key for key in node.get("environment", {}) if key.startswith("RINGSIDE_")}
        assert envvars <= serve_envvars() | limit_envvars(), name


def limit_envvars() -> frozenset[str]:
    """The connection limits' variables (``Limits.from_env``), which are no options."""
    return frozenset(f"RINGSIDE_{f.name.upper()}" for f in dataclasses.fields(Limits))


def docker_compose() -> list[str] | None:
    docker = shutil.which("docker")
    if docker is None:
        return None
    probe = subprocess.run([docker, "compose", "version"], capture_output=True, timeout=30)
    return [docker, "compose"] if probe.returncode == 0 else None


@pytest.mark.parametrize("profile", [None, "cluster"])
def test_docker_compose_accepts_the_file(profile: str | None) -> None:
    command = docker_compose()
    if command is None:
        pytest.skip("no `docker compose` here (docker CLI without its compose plugin)")
    args = [*command, "-f", str(COMPOSE)]
    if profile:
        args += ["--profile", profile]
    done = subprocess.run([*args, "config", "-q"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


# --- deploy/haproxy.cfg ---------------------------------------------------------------------


@cache
def haproxy_sections() -> dict[str, list[str]]:
    """``"backend nodes_http"`` → its directives, comments and blank lines left out."""
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in HAPROXY_CFG.read_text().splitlines():
        text = line.split("#", 1)[0].rstrip()
        if not text:
            continue
        if not text[0].isspace():
            current = sections.setdefault(" ".join(text.split()), [])
        else:
            current.append(" ".join(text.split()))
    return sections


def seconds(value: str) -> float:
    number, unit = re.fullmatch(r"(\d+)(ms|s|m|h|d)?", value).groups()  # type: ignore[union-attr]
    scale = {"ms": 0.001, "s": 1, None: 0.001, "m": 60, "h": 3600, "d": 86400}[unit]
    return int(number) * scale


def directive(section: str, name: str) -> str | None:
    """The value of the last ``name ...`` directive of a section (or of defaults)."""
    for lines in (haproxy_sections()[section], haproxy_sections()["defaults"]):
        found = [line[len(name) + 1 :] for line in lines if line.startswith(name + " ")]
        if found:
            return found[-1]
    return None


def servers(backend: str) -> dict[str, str]:
    found = [
        line.split()[1:3] for line in haproxy_sections()[backend] if line.startswith("server ")
    ]
    return {name: address for name, address in found}


def test_haproxy_balances_http_and_websockets_by_least_connections() -> None:
    assert "bind :8000" in haproxy_sections()["frontend http"]
    assert directive("frontend http", "default_backend") == "nodes_http"
    assert directive("backend nodes_http", "mode") == "http"
    assert directive("backend nodes_http", "balance") == "leastconn"
    assert directive("backend nodes_http", "http-check send") == "meth GET uri /readyz"
    assert directive("backend nodes_http", "timeout tunnel") is not None
    assert servers("backend nodes_http") == {n: f"{n}:{HTTP_PORT}" for n in CLUSTER_NODES}


def test_haproxy_passes_tcp_bots_through() -> None:
    assert "bind :8001" in haproxy_sections()["frontend bots_tcp"]
    assert directive("frontend bots_tcp", "mode") == "tcp"
    assert directive("frontend bots_tcp", "default_backend") == "nodes_tcp"
    assert directive("backend nodes_tcp", "mode") == "tcp"
    assert directive("backend nodes_tcp", "balance") == "leastconn"
    assert servers("backend nodes_tcp") == {n: f"{n}:{TCP_PORT}" for n in CLUSTER_NODES}
    # Its health check asks /readyz on the node's HTTP port.
    assert directive("backend nodes_tcp", "http-check send") == "meth GET uri /readyz"
    default_server = directive("backend nodes_tcp", "default-server") or ""
    assert f"check port {HTTP_PORT}" in default_server
    assert "init-addr last,libc,none" in default_server


def test_haproxy_lets_idle_connections_outlive_the_servers_heartbeat() -> None:
    """An idle bot hears a ping every --heartbeat seconds and the server drops one silent for
    SILENT_PERIODS of them: the proxy's idle limits must be longer, so the server decides."""
    server_limit = SILENT_PERIODS * Settings().heartbeat
    for section, name in [
        ("frontend bots_tcp", "timeout client"),
        ("backend nodes_tcp", "timeout server"),
        ("backend nodes_http", "timeout tunnel"),
    ]:
        value = directive(section, name)
        assert value is not None, f"{section}: no {name}"
        assert seconds(value) > server_limit, f"{section}: {name} {value}"


def test_haproxy_accepts_its_config() -> None:
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(haproxy).exists():
        pytest.skip("haproxy is not installed (scripts/system-deps.sh installs it)")
    done = subprocess.run(
        [haproxy, "-c", "-f", str(HAPROXY_CFG)], capture_output=True, text=True, timeout=60
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Configuration file is valid" in output
    # The only warnings allowed: the nodes' names, which resolve inside compose's network only.
    warnings = [line for line in output.splitlines() if "[WARNING]" in line]
    for line in warnings:
        assert "could not resolve address" in line, line
