"""A stand-in for the app's migration command: `create_all` of the contract's models on
DATABASE_URL, as the backend does on start. Used as postgresql.schema.command by the component
test of schema mode `command` (and usable as such by the stand-in backend image).

Usage: python3 create_tables.py   (DATABASE_URL from the environment, as the hook Job sets it)
"""

from __future__ import annotations

import os
import sys

import app_models  # beside this file: python puts the script's directory first on sys.path
from sqlalchemy import create_engine


def driver_url(url: str) -> str:
    """The URL with an installed driver: psycopg2 when present, else psycopg 3."""
    if not url.startswith("postgresql://"):
        return url
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def main() -> int:
    url = os.environ.get("DATABASE_URL")
    if not url:
        print("create_tables: DATABASE_URL is not set", file=sys.stderr)
        return 2
    engine = create_engine(driver_url(url))
    app_models.metadata.create_all(engine)
    print(f"create_tables: {len(app_models.metadata.tables)} tables present")
    return 0


if __name__ == "__main__":
    sys.exit(main())
