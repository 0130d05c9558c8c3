"""A real nginx from Debian on loopback, running the repository's reference configuration
(``deploy/nginx/editorial.conf``) in front of an origin: for the edge tests and the reader
benchmark. Everything it writes (configuration, cache, logs, pid) stays in its own directory."""

import getpass
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE_CONFIG = ROOT / "deploy" / "nginx" / "editorial.conf"
NGINX = "/usr/sbin/nginx"
PURGE_MODULE = "/usr/lib/nginx/modules/ngx_http_cache_purge_module.so"
MIME_TYPES = "/etc/nginx/mime.types"


def missing() -> str | None:
    """What this machine lacks to run the edge, or None."""
    if shutil.which(NGINX) is None:
        return f"Debian's nginx is not installed at {NGINX}"
    if not Path(PURGE_MODULE).exists():
        return f"libnginx-mod-http-cache-purge is not installed ({PURGE_MODULE})"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def reference_config(**values: str) -> str:
    """``editorial.conf`` with its ``${NAME}`` variables filled in, as the edge image does."""
    text = REFERENCE_CONFIG.read_text()
    names = set(re.findall(r"\$\{(\w+)\}", text))
    if names != set(values):
        raise ValueError(f"editorial.conf takes {sorted(names)}, given {sorted(values)}")
    return re.sub(r"\$\{(\w+)\}", lambda match: values[match.group(1)], text)


class Nginx:
    """nginx with the reference configuration in front of ``origin`` (host:port), on free
    loopback ports: ``url`` for readers, ``purge_url`` for Editorial's workers. ``extra`` is
    more http-context configuration (the benchmark's static file server)."""

    def __init__(self, *, origin: str, workdir: Path, workers: int = 1, extra: str = ""):
        self.origin = origin
        self.workdir = workdir
        self.workers = workers
        self.extra = extra
        self.port = free_port()
        self.purge_port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def purge_url(self) -> str:
        return f"http://127.0.0.1:{self.purge_port}"

    def configuration(self) -> str:
        site = reference_config(
            EDITORIAL_ORIGIN=self.origin,
            EDGE_LISTEN=f"127.0.0.1:{self.port}",
            EDGE_PURGE_LISTEN=f"127.0.0.1:{self.purge_port}",
            EDGE_PURGE_FROM="127.0.0.1",
            EDGE_CACHE_DIR=str(self.workdir / "cache"),
        )
        temp = self.workdir / "temp"
        # Workers run as this user, so they can write in a private temporary directory.
        user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
        return f"""
load_module {PURGE_MODULE};
daemon off;
{user}
worker_processes {self.workers};
pid {self.workdir / "nginx.pid"};
error_log {self.workdir / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    include {MIME_TYPES};
    default_type application/octet-stream;
    client_body_temp_path {temp / "body"};
    proxy_temp_path {temp / "proxy"};
    fastcgi_temp_path {temp / "fastcgi"};
    uwsgi_temp_path {temp / "uwsgi"};
    scgi_temp_path {temp / "scgi"};
{site}
{self.extra}
}}
"""

    def __enter__(self) -> "Nginx":
        (self.workdir / "temp").mkdir(parents=True, exist_ok=True)
        config = self.workdir / "nginx.conf"
        config.write_text(self.configuration())
        command = [NGINX, "-p", str(self.workdir), "-c", str(config), "-e", "stderr"]
        subprocess.run([*command, "-t", "-q"], check=True, capture_output=True, timeout=30)
        self.process = subprocess.Popen(
            command, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                for port in (self.port, self.purge_port):
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.__exit__(None, None, None)
                    raise RuntimeError(f"nginx did not start: {self.errors()}") from None
                time.sleep(0.05)

    def __exit__(self, *exc) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def errors(self) -> str:
        log = self.workdir / "error.log"
        stderr = self.process.stderr.read() if self.process and self.process.poll() else ""
        return (log.read_text() if log.exists() else "") + (stderr or "")
