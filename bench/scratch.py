"""What every benchmark run sets up and takes down: a scratch database, server processes, the proxy, free ports,
and the CPU time a process spent.

    with scratch_database(args.database_url, folder, "checkin") as (server_url, db_url):
        servers = start_servers([port], env, log)        # gunicorn + gevent, as users run it
        proxy_port, nginx = start_nginx([port], folder / "nginx")   # the README's nginx in front of them
        before = cpu_seconds([s.pid for s in servers])   # master and worker
"""
from __future__ import annotations

import contextlib
import grp
import os
import pwd
import resource
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


@contextlib.contextmanager
def scratch_database(server: str | None, folder: Path, what: str) -> Iterator[tuple[str, str]]:
    """A database for one run: on the PostgreSQL `server` (created now, dropped after) or SQLite in
    `folder`. Yields (the URL for DATABASE_URL, the URL for SQLAlchemy)."""
    if not server:
        url = f"sqlite:///{Path(folder) / f'{what}.sqlite'}"
        yield url, url
        return
    import psycopg

    admin = server.replace("postgresql+psycopg://", "postgresql://")
    name = f"claimdesk_{what}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin.rsplit("/", 1)[0] + "/" + name
    try:
        yield url, url.replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wait_listening(port: int, process: subprocess.Popen, what: str, seconds: float = 30) -> None:
    """Return once `process` accepts connections on `port`; raise if it stops or does not within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        if process.poll() is not None:
            raise RuntimeError(f"{what} on port {port} stopped; see its log")
        time.sleep(0.05)  # waiting for the process to listen
    raise RuntimeError(f"{what} on port {port} did not start listening")


def start_servers(ports: list[int], env: dict, log) -> list[subprocess.Popen]:
    """One single-worker gunicorn + gevent process per port, each listening before this returns."""
    servers = [subprocess.Popen([BIN / "gunicorn", "-k", "gevent", "-w", "1", "--worker-connections", "10000",
                                 "-b", f"127.0.0.1:{port}", "app:app"], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT) for port in ports]
    for port, server in zip(ports, servers):
        wait_listening(port, server, "the server")
    return servers


def start_redis(folder: Path) -> tuple[str, subprocess.Popen]:
    """A redis-server of the run's own on a free port (nothing saved); returns its REDIS_URL and the process."""
    port = free_port()
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_listening(port, process, "redis-server")
    return f"redis://127.0.0.1:{port}/0", process


def stop(processes: list[subprocess.Popen]) -> None:
    for process in reversed(processes):
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- the proxy ------------------------------------------------------------------

NGINX_MISSING = "install nginx: apt-get install nginx"

# README "Scaling", The proxy: the same upstream and location blocks, on plain HTTP on loopback (no TLS to pay for
# on either side). One worker: on a small machine shared with the server processes and the load generator, one
# event loop carries every connection, and its upstream keep-alive pool (64) is one pool, not one per worker.
# No access log: the README's config sets none, and a line per request would be the proxy's cost, not ours.
NGINX_CONF = """\
{user}worker_processes 1;
worker_rlimit_nofile {files};
daemon off;
master_process on;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;

events {{ worker_connections {connections}; }}

http {{
    access_log off;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;

    upstream claimdesk {{
        least_conn;
{servers}
        keepalive 64;
    }}
    map $http_upgrade $connection_upgrade {{ default upgrade; "" ""; }}

    server {{
        listen 127.0.0.1:{port};

        location /socket.io/ {{
            proxy_pass http://claimdesk;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 120s;
            proxy_send_timeout 120s;
            proxy_buffering off;
        }}
        location / {{
            proxy_pass http://claimdesk;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Request-ID $request_id;
            proxy_read_timeout 60s;
        }}
    }}
}}
"""


def nginx_binary() -> str | None:
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


def start_nginx(ports: list[int], folder: Path) -> tuple[int, subprocess.Popen]:
    """nginx with the README's proxy configuration in front of the servers on `ports`, everything of its own (conf,
    pid, logs, temporary files) in `folder`, run as the current user in the foreground. Returns the port it listens
    on and its master process (stop it with `stop`). Raises RuntimeError(NGINX_MISSING) when nginx is not installed."""
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError(NGINX_MISSING)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    files = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    # as root nginx would hand its workers to "nobody"; keep them ours (the directive is only read under root)
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};\n" \
        if os.geteuid() == 0 else ""
    port = free_port()
    conf = folder / "nginx.conf"
    conf.write_text(NGINX_CONF.format(
        user=user, files=files, connections=max(1024, files - 64), folder=folder, port=port,
        servers="\n".join(f"        server 127.0.0.1:{p};" for p in ports)))
    process = subprocess.Popen([binary, "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_listening(port, process, "nginx", seconds=10)
    except RuntimeError as error:
        stop([process])
        log = (folder / "error.log").read_text() if (folder / "error.log").exists() else ""
        raise RuntimeError(f"{error}: {log.strip()[-500:]}") from None
    return port, process


# --- CPU time ---------------------------------------------------------------------

TICKS = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, float]]:
    """Every process: pid → (parent pid, CPU seconds of all its threads and of its children already reaped)."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            text = Path(f"/proc/{entry.name}/stat").read_text()
        except OSError:  # gone meanwhile
            continue
        fields = text[text.rindex(")") + 2:].split()  # the name in brackets may hold spaces
        # fields[1] is the parent; [11:15] utime, stime, cutime, cstime (proc(5), counted from "state")
        found[int(entry.name)] = int(fields[1]), sum(int(v) for v in fields[11:15]) / TICKS
    return found


def cpu_by_process(pids: list[int]) -> dict[int, float]:
    """CPU seconds so far of each of `pids` and of each of their descendants (a gunicorn master's worker, nginx's
    workers), by pid: a process's time is counted once, by itself while it lives, by its parent once reaped."""
    table = _processes()
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in table.items():
        children.setdefault(parent, []).append(pid)
    seen, todo = {}, [pid for pid in pids if pid in table]
    while todo:
        pid = todo.pop()
        if pid not in seen:
            seen[pid] = table[pid][1]
            todo += children.get(pid, [])
    return seen


def cpu_seconds(pids: list[int]) -> float:
    """CPU seconds (user + system, every thread) used so far by `pids` and their descendants, from /proc."""
    return sum(cpu_by_process(pids).values())
