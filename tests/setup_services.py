"""Before the suite: make sure the PostgreSQL leg can run, and say so loudly if not.

CI must run the storage tests on PostgreSQL too, so a missing server fails the run
instead of silently skipping half of the suite.
"""

from __future__ import annotations

import os
import sys

import sqlalchemy as sa

URL = os.environ.get("KUZA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def main() -> int:
    if URL == "skip":
        print("PostgreSQL leg skipped on request (KUZA_TEST_POSTGRES_URL=skip)")
        return 0
    try:
        engine = sa.create_engine(URL)
        with engine.connect() as conn:
            version = conn.exec_driver_sql("show server_version").scalar()
        engine.dispose()
    except Exception as exc:
        print(f"PostgreSQL is not reachable at {URL}: {exc}", file=sys.stderr)
        return 1
    print(f"PostgreSQL {version} reachable for the storage tests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
