"""What the server benchmarks share: a scratch PostgreSQL database and a free loopback port."""

import socket
import sys
from urllib.parse import urlparse


def recreate_database(url: str) -> None:
    """Drop and create the database of `url`; only names starting with xmkt_bench, so a typo cannot drop real data."""
    import psycopg2
    from psycopg2 import sql

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    if not name.startswith("xmkt_bench"):
        sys.exit(f"Refusing to drop {name!r}: the benchmark database name must start with 'xmkt_bench'.")
    admin = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, password=parts.password, dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
