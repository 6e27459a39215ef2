"""A real PostgreSQL server for the tests: one per test run, a fresh database per test.

``CROSSCHECK_TEST_POSTGRES`` names a running server to use (a libpq URL of a role that may
create databases); otherwise the machine's PostgreSQL binaries start a throwaway server on a
Unix socket in a temporary folder, with fsync off. Without either, PostgreSQL cases are
skipped with the reason, unless ``CROSSCHECK_REQUIRE_POSTGRES=1`` (as in CI) makes that a
failure.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest

URL_ENV = "CROSSCHECK_TEST_POSTGRES"
REQUIRE_ENV = "CROSSCHECK_REQUIRE_POSTGRES"


def _bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"PostgreSQL is required here ({REQUIRE_ENV}=1) but {reason}")
    pytest.skip(f"PostgreSQL cases need a server: {reason}")


class Server:
    """A server the tests may create databases on."""

    def __init__(self, socket_dir: str, port: int, user: str) -> None:
        self.socket_dir, self.port, self.user = socket_dir, port, user

    def url(self, database: str) -> str:
        return (
            f"postgresql://{quote(self.user)}@/{database}"
            f"?host={quote(self.socket_dir)}&port={self.port}"
        )

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql)

    @contextmanager
    def database(self) -> Iterator[str]:
        name = "t_" + uuid.uuid4().hex[:16]
        self.admin(f"CREATE DATABASE {name} TEMPLATE template0")
        try:
            yield self.url(name)
        finally:
            self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# A role that must give a password, for the tests of passwords (every other role is trusted).
PASSWORD_ROLE = "crosscheck_pw"


def require_password_for(hba: Path) -> None:
    """Make the server ask PASSWORD_ROLE for its password (the rule comes first)."""
    rules = hba.read_text(encoding="utf-8")
    hba.write_text(f"local all {PASSWORD_ROLE} scram-sha-256\n{rules}", encoding="utf-8")


def _from_env(url: str) -> Server:
    from psycopg.conninfo import conninfo_to_dict

    info = conninfo_to_dict(url)
    return Server(str(info.get("host", "/tmp")), int(info.get("port", 5432)), str(info["user"]))


@contextmanager
def start_server(*, durable: bool = False) -> Iterator[Server]:
    """Start a throwaway server, or skip (fail where required) with the reason. Tests run it
    with fsync off; ``durable`` keeps the server's defaults (benchmarks)."""
    url = os.environ.get(URL_ENV)
    if url:
        yield _from_env(url)
        return
    bindir = _bindir()
    if bindir is None:
        unavailable("no PostgreSQL binaries were found (install the postgresql package)")
    assert bindir is not None
    root = Path(tempfile.mkdtemp(prefix="crosscheck-pg-"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    # initdb refuses to run as root: the server then runs as the postgres user.
    runner: list[str] = []
    if os.geteuid() == 0:
        runner = ["runuser", "-u", "postgres", "--"]
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
        root.chmod(0o755)
    port = 20000 + os.getpid() % 20000
    try:
        subprocess.run(
            [*runner, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "--no-sync",
             "-U", "postgres"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        require_password_for(data / "pg_hba.conf")
        options = f"-c listen_addresses='' -k {sockets} -p {port} -c max_connections=200"
        if not durable:
            options += " -c fsync=off -c full_page_writes=off"
        subprocess.run(
            [*runner, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"),
             "-o", options, "-w", "start"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
    except (subprocess.CalledProcessError, OSError) as exc:
        log = (root / "log").read_text(errors="replace") if (root / "log").exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        unavailable(f"the server did not start ({exc}; {log[-300:]})")
    try:
        yield Server(str(sockets), port, "postgres")
    finally:
        subprocess.run(
            [*runner, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True, timeout=60,
        )  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


# What the README tells a newsroom's IT person to run (the database owner runs migrations).
APP_ROLE_GRANTS = """
GRANT CONNECT ON DATABASE {db} TO {role};
GRANT USAGE ON SCHEMA public TO {role};
GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role};
GRANT INSERT ON reviewers, fetched_pages, articles, article_pages, annotations TO {role};
GRANT INSERT ON settlements, settlement_links, audit_events TO {role};
GRANT UPDATE ON annotations TO {role};
GRANT UPDATE (title, outlet, url, published, published_precision, author) ON articles TO {role};
GRANT UPDATE (deleted_at, deleted_by) ON articles TO {role};
GRANT UPDATE (withdrawn_at, withdrawn_by) ON settlements TO {role};
GRANT INSERT, DELETE ON blinding, done_marks, adjudicators TO {role};
GRANT INSERT, UPDATE, DELETE ON presence TO {role};
"""


def app_role(pg_server: Server, url: str, role: str, password: str | None = None) -> str:
    """A login role with the application grants on ``url``'s database; its URL."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict

    db = conninfo_to_dict(url)["dbname"]
    with psycopg.connect(pg_server.url("postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        if password is not None:
            conn.execute(
                sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                    sql.Identifier(role), sql.Literal(password)
                )
            )
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in APP_ROLE_GRANTS.format(db=db, role=role).strip().splitlines():
            conn.execute(statement)
    return url.replace(f"{pg_server.user}@", f"{role}@", 1)
