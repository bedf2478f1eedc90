"""Stand-in for the AI-Native backend: the application contract (app-contract.md), nothing more.

uvicorn serves it on 8000. It reads the contract's environment, runs SQLAlchemy `create_all` of
the contract's models (app_models.py, copied from tests/contract/ at image build time) on start
and again until it succeeds, answers the health endpoints the chart's probes and `helm test`
call, serves Prometheus text on /metrics, and has a small sessions API so tests can write a row
and read it back after restarts, upgrades and restores.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import app_models
from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession

VERSION = "stand-in"
log = logging.getLogger("ai-native-stand-in")
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    try:
        return int(raw) if raw else default
    except ValueError:
        log.warning("%s=%r is not an integer; using %d", name, raw, default)
        return default


class Settings:
    """The environment the contract names, with the app's defaults."""

    def __init__(self) -> None:
        self.database_url = os.environ.get("DATABASE_URL", "")
        self.pool_size = _int_env("DB_POOL_SIZE", 20)
        self.max_overflow = _int_env("DB_MAX_OVERFLOW", 40)
        self.pool_timeout = _int_env("DB_POOL_TIMEOUT", 30)
        self.pool_recycle = _int_env("DB_POOL_RECYCLE", 3600)
        self.redis_url = os.environ.get("REDIS_URL", "")
        self.llm_cache_backend = os.environ.get("LLM_CACHE_BACKEND", "memory")
        self.llm_provider = os.environ.get("LLM_PROVIDER") or "mock"
        self.environment = os.environ.get("ENVIRONMENT", "")
        self.jwt_secret_set = bool(os.environ.get("JWT_SECRET_KEY"))
        self.jwt_algorithm = os.environ.get("JWT_ALGORITHM", "HS256")
        self.jwt_expire_minutes = _int_env("JWT_ACCESS_TOKEN_EXPIRE_MINUTES", 30)


settings = Settings()
engine: Engine | None = None
if settings.database_url:
    engine = create_engine(
        settings.database_url,
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        pool_timeout=settings.pool_timeout,
        pool_recycle=settings.pool_recycle,
        pool_pre_ping=True,
        connect_args={"connect_timeout": 5},
    )
else:
    log.error("DATABASE_URL is not set: readiness stays 503")

redis_client: Any = None
if settings.redis_url:
    import redis

    redis_client = redis.Redis.from_url(
        settings.redis_url, socket_timeout=2, socket_connect_timeout=2
    )

schema_ready = threading.Event()
started_at = time.time()
requests_total: Counter[tuple[str, str, int]] = Counter()


def create_schema() -> bool:
    """create_all of the contract's models: creates missing tables, never alters existing ones."""
    if engine is None:
        return False
    try:
        app_models.metadata.create_all(engine)
    except Exception as err:  # any database error: not ready yet, retried
        log.warning("create_all failed (retrying): %s", str(err).splitlines()[0])
        return False
    schema_ready.set()
    log.info("create_all done: %d tables", len(app_models.metadata.tables))
    return True


def _retry_schema() -> None:
    while not create_schema():
        time.sleep(2)


def database_ok() -> bool:
    if engine is None:
        return False
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as err:
        log.warning("database check failed: %s", str(err).splitlines()[0])
        return False
    return True


def redis_state() -> str:
    if redis_client is None:
        return "not_configured"
    try:
        return "connected" if redis_client.ping() else "disconnected"
    except Exception:
        return "disconnected"


def now() -> str:
    return datetime.now(UTC).isoformat()


@contextlib.asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    # Like the app: create_all on start; unlike it, keep serving (liveness) while the database
    # is unreachable and retry, so readiness tells the truth instead of a crash loop.
    if not create_schema():
        threading.Thread(target=_retry_schema, name="create-all", daemon=True).start()
    yield


app = FastAPI(title="AI-Native backend (stand-in)", version=VERSION, lifespan=lifespan)


@app.middleware("http")
async def count_requests(request: Request, call_next: Any) -> Response:
    response: Response = await call_next(request)
    route = request.scope.get("route")
    path = getattr(route, "path", "unmatched")
    requests_total[(request.method, path, response.status_code)] += 1
    return response


@app.get("/api/v1/health/live")
def live() -> dict[str, Any]:
    return {"status": "alive", "timestamp": now()}


@app.get("/api/v1/health/ready")
def ready() -> JSONResponse:
    db = database_ok()
    if db and not schema_ready.is_set():
        create_schema()
    ok = db and schema_ready.is_set()
    body = {
        "status": "ready" if ok else "not_ready",
        "database": "connected" if db else "disconnected",
        "schema": "created" if schema_ready.is_set() else "pending",
        "redis": redis_state(),
    }
    return JSONResponse(body, status_code=200 if ok else 503)


@app.get("/api/v1/health")
def health() -> JSONResponse:
    db = database_ok()
    cache = redis_state()
    status = "unhealthy" if not db else ("healthy" if cache != "disconnected" else "degraded")
    body = {
        "status": status,
        "database": "connected" if db else "disconnected",
        "redis": cache,
        "version": VERSION,
        "timestamp": now(),
    }
    return JSONResponse(body, status_code=503 if status == "unhealthy" else 200)


@app.get("/api/v1/health/ping")
def ping() -> dict[str, Any]:
    return {"success": True, "data": {"status": "ok", "timestamp": now()}}


def _timed(check: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = check()
    return result, round((time.perf_counter() - start) * 1000, 2)


def _redis_roundtrip() -> str:
    if redis_client is None:
        return "not_configured"
    try:
        key = f"ai-native:stand-in:deep:{os.getpid()}"
        redis_client.set(key, "ok", ex=30)
        return "ok" if redis_client.get(key) == b"ok" else "mismatch"
    except Exception as err:
        return f"error: {type(err).__name__}"


@app.get("/api/v1/health/deep")
def deep() -> dict[str, Any]:
    db, db_ms = _timed(database_ok)
    cache, cache_ms = _timed(_redis_roundtrip)
    pool: dict[str, Any] = {}
    if engine is not None:
        p: Any = engine.pool
        pool = {"size": p.size(), "checked_out": p.checkedout(), "overflow": p.overflow(),
                "max_overflow": settings.max_overflow}  # fmt: skip
    return {
        "status": "healthy" if db else "unhealthy",
        "environment": settings.environment,
        "version": VERSION,
        "database": {"status": "connected" if db else "disconnected", "latency_ms": db_ms,
                     "schema": "created" if schema_ready.is_set() else "pending", "pool": pool},
        "redis": {"status": cache, "latency_ms": cache_ms},
        "llm": {"provider": settings.llm_provider, "cache_backend": settings.llm_cache_backend},
        "auth": {"jwt_secret_set": settings.jwt_secret_set, "algorithm": settings.jwt_algorithm,
                 "access_token_expire_minutes": settings.jwt_expire_minutes},
        "timestamp": now(),
    }  # fmt: skip


@app.get("/metrics", response_class=PlainTextResponse)
def metrics() -> str:
    lines = [
        "# HELP http_requests_total HTTP requests served, by method, route and status.",
        "# TYPE http_requests_total counter",
    ]
    for (method, path, status), count in sorted(requests_total.items()):
        lines.append(
            f'http_requests_total{{method="{method}",path="{path}",status="{status}"}} {count}'
        )
    lines += [
        "# HELP process_start_time_seconds Start time of the process since the epoch.",
        "# TYPE process_start_time_seconds gauge",
        f"process_start_time_seconds {started_at:.3f}",
        "# HELP ai_native_schema_ready 1 once create_all succeeded.",
        "# TYPE ai_native_schema_ready gauge",
        f"ai_native_schema_ready {int(schema_ready.is_set())}",
    ]
    if engine is not None:
        pool: Any = engine.pool
        lines += [
            "# HELP ai_native_db_pool_checked_out Database connections in use.",
            "# TYPE ai_native_db_pool_checked_out gauge",
            f"ai_native_db_pool_checked_out {pool.checkedout()}",
        ]
    return "\n".join(lines) + "\n"


class SessionIn(BaseModel):
    student_id: str
    activity_id: str
    mode: str = "TUTOR"


def _session_out(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "student_id": row.student_id,
        "activity_id": row.activity_id,
        "mode": row.mode,
        "status": row.status,
        "created_at": row.created_at.isoformat(),
    }


def _require_schema() -> Engine:
    if engine is None or not (schema_ready.is_set() or create_schema()):
        raise HTTPException(status_code=503, detail="database not ready")
    return engine


@app.post("/api/v1/sessions", status_code=201)
def create_session(body: SessionIn) -> dict[str, Any]:
    with OrmSession(_require_schema()) as db:
        row = app_models.Session(
            student_id=body.student_id, activity_id=body.activity_id, mode=body.mode
        )
        db.add(row)
        db.commit()
        return _session_out(row)


@app.get("/api/v1/sessions/{session_id}")
def read_session(session_id: str) -> dict[str, Any]:
    with OrmSession(_require_schema()) as db:
        row = db.get(app_models.Session, session_id)
        if row is None:
            raise HTTPException(status_code=404, detail=f"no session {session_id}")
        return _session_out(row)


@app.get("/api/v1/sessions")
def list_sessions(student_id: str) -> list[dict[str, Any]]:
    with OrmSession(_require_schema()) as db:
        query = select(app_models.Session).where(app_models.Session.student_id == student_id)
        rows = db.scalars(query.order_by(app_models.Session.created_at))
        return [_session_out(row) for row in rows]
