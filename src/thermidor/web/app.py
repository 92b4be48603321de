"""The web application: a JSON API (described at /openapi.json) and the page that uses it.

Runs are asked for with ``POST /api/runs``, queued (a fixed bound; 503 when full), executed in a
worker thread, watched live through server-sent events and stored in the lab's store under their
content key, which is also their URL: ``/runs/<key>``. A comparison's URL lists its runs:
``/compare?runs=<key>,<key>``. Bad input is answered with a 4xx whose message names the field.
"""

from __future__ import annotations

import asyncio
import io
import json
import math
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles

from thermidor.lab.errors import StoreError
from thermidor.lab.executors import Serial
from thermidor.lab.store import KEY, Store, content_key
from thermidor.model.decisions import DECISIONS
from thermidor.model.errors import ScenarioError
from thermidor.model.events import EVENT_KINDS
from thermidor.model.params import BY_NAME, PARAMS
from thermidor.model.result import Result
from thermidor.model.run import resolve_scales, source_hash
from thermidor.model.run import run as run_model
from thermidor.model.scenario import load, shipped
from thermidor.model.targets import score
from thermidor.report import Group, build
from thermidor.report.specs import EVENT_NAMES, FIGURES, as_json, expand
from thermidor.web.comparisons import Comparisons, MembersRequest
from thermidor.web.guard import Guard, allowed_hosts
from thermidor.web.jobs import Cancelled, Job, Jobs, QueueFull
from thermidor.web.limits import READ_TIMEOUT_S, BodyLimit
from thermidor.web.playback import ACTIONS, Playbacks
from thermidor.web.requests import (
    MAX_COMPARE,
    CancelRequest,
    CompareRequest,
    RunRequest,
    scenario_source,
)

STATIC = resources.files("thermidor.web") / "static"
FILES = ("indicators.parquet", "events.parquet", "manifest.json", "indicators.csv",
         "events.csv", "report.html")  # fmt: skip
REPORT_CACHE = 16


def create_app(
    store: str | Path = "runs",
    *,
    workers: int = 1,
    queue_size: int = 4,
    max_body: int = 64 * 1024,
    host: str | None = "127.0.0.1",
    allow_hosts: Iterable[str] = (),
    read_timeout: float = READ_TIMEOUT_S,
) -> FastAPI:
    """The application. ``store`` is the lab's store (a folder of run directories); ``host``
    the address it is served on and ``allow_hosts`` other names it answers to (web/guard.py).
    Runs go through the lab's executor (``lab.executors.Serial``, in the queue's threads, so
    that their progress is watched live and a cancel stops them within a step)."""
    st = Store(store)
    live = _live_columns()
    playbacks = Playbacks()

    def run_job(job: Job) -> None:
        playback = playbacks.open(job.key)

        def on_step(step: int, total: int, row: dict[str, float]) -> None:
            if job.cancel.is_set():
                raise Cancelled
            job.step, job.total = step + 1, total
            job.rows.append({"step": step, "date": job.date_of(step),
                             **{k: _num(row[k]) for k in live(row)}})  # fmt: skip
            playback.wait(job.cancel)

        try:
            result = run_model(job.scenario, job.seed, job.scale, on_step=on_step)
        finally:
            playbacks.close(job.key)
        if st.write(result) != job.key:  # the source changed under a running server
            raise RuntimeError("the run's content key is not the one it was queued under")

    def through_executor(job: Job) -> None:
        with Serial() as ex:
            for _ in ex.map_unordered(run_job, [job]):
                pass

    jobs = Jobs(through_executor, workers=workers, capacity=queue_size)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        jobs.start()
        try:
            yield
        finally:
            comparisons.stop()
            await asyncio.to_thread(jobs.stop)

    comparisons = Comparisons(st)

    app = FastAPI(
        title="thermidor",
        version="1",
        summary="Harman's 'How the Revolution was Lost' (1967) as an executable model",
        description=__doc__,
        lifespan=lifespan,
        # FastAPI's /docs and /redoc pages load their scripts from a CDN; /openapi.json is served
        docs_url=None,
        redoc_url=None,
    )
    app.state.jobs = jobs
    app.state.playbacks = playbacks
    app.state.store = st
    app.add_middleware(BodyLimit, max_body=max_body, read_timeout=read_timeout)
    app.add_middleware(Guard, hosts=allowed_hosts(host, allow_hosts))  # outermost: first
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    _errors(app)
    _pages(app)
    _catalogue(app)
    _runs(app, st, jobs)
    _compare(app, st, jobs)
    _decisions(app)
    _playback(app, jobs, playbacks)
    _members(app, comparisons)
    return app


# -- errors: a 4xx that names the field --------------------------------------------------------
def _errors(app: FastAPI) -> None:
    @app.exception_handler(ScenarioError)
    async def scenario_error(_: Request, e: ScenarioError) -> JSONResponse:
        loc = ["body", *_loc(e.path)]
        detail = [{"loc": loc, "msg": str(e), "type": "scenario_error", "input": _plain(e.value)}]
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(StoreError)
    async def store_error(_: Request, e: StoreError) -> JSONResponse:
        return JSONResponse({"detail": str(e)}, status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, e: RequestValidationError) -> JSONResponse:
        detail = []
        for err in e.errors():
            loc = [str(x) for x in err.get("loc", ())]
            field = ".".join(x for x in loc if x not in ("body", "query", "path"))
            detail.append({
                "loc": loc, "msg": f"{field or 'request'}: {err.get('msg', 'invalid')}",
                "type": err.get("type", "value_error"), "input": _plain(err.get("input")),
            })  # fmt: skip
        return JSONResponse({"detail": jsonable_encoder(detail)}, status_code=422)


def _loc(path: str) -> list[str]:
    head, _, rest = path.partition(".")
    if head in ("params", "scenarios", "force") and rest:
        return [head, rest]
    return [path]


def _bad_query(name: str, value: Any, allowed: str) -> HTTPException:
    msg = f"{name}: got {value!r}; allowed: {allowed}"
    detail = [{"loc": ["query", name], "msg": msg, "type": "value_error", "input": _plain(value)}]
    return HTTPException(422, detail)


def _plain(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)  # NaN and Infinity are not JSON: named as text
    if isinstance(x, (str, int, float, bool)) or x is None:
        return x
    if isinstance(x, dict):
        return {str(k)[:100]: _plain(v) for k, v in list(x.items())[:20]}
    return str(x)[:200]


# -- the page ---------------------------------------------------------------------------------
def _pages(app: FastAPI) -> None:
    def index() -> HTMLResponse:
        return HTMLResponse((STATIC / "index.html").read_text(encoding="utf-8"))

    for path in ("/", "/runs", "/runs/{key}", "/compare"):
        app.add_api_route(path, index, methods=["GET"], include_in_schema=False,
                          response_class=HTMLResponse)  # fmt: skip

    @app.get("/api/health", tags=["meta"])
    def health() -> dict[str, Any]:
        return {"ok": True, "source_hash": source_hash()}


# -- what can be run ----------------------------------------------------------------------------
def _catalogue(app: FastAPI) -> None:
    @app.get("/api/scenarios", tags=["catalogue"])
    def scenarios() -> list[dict[str, Any]]:
        """The shipped scenarios, with the parameter values each sets."""
        out = []
        for name in shipped():
            sc = load(name)
            out.append({
                "name": name, "title": sc.meta.get("title", name),
                "description": sc.meta.get("description", ""), "class": sc.meta.get("class", ""),
                "section": sc.meta.get("section", ""), "start": sc.start.isoformat(),
                "end": sc.end.isoformat(), "step_days": sc.step_days,
                "params": dict(sc.resolved_params()), "interventions": sc.interventions,
            })  # fmt: skip
        return out

    @app.get("/api/params", tags=["catalogue"])
    def params() -> list[dict[str, Any]]:
        """Every parameter: default, range, unit, meaning, source, class (the form's schema)."""
        return [p.as_dict() | {"group": p.group} for p in PARAMS]

    @app.get("/api/figures", tags=["catalogue"])
    def figures() -> dict[str, Any]:
        """The figures the page and the report draw, and the essay's figures to mark on them."""
        return as_json()


# -- runs ------------------------------------------------------------------------------------
def _runs(app: FastAPI, st: Store, jobs: Jobs) -> None:
    reports: OrderedDict[tuple[str, ...], bytes] = OrderedDict()
    reports_lock = threading.Lock()

    @app.post("/api/runs", tags=["runs"], status_code=202, responses={
        200: {"description": "the run is already stored"},
        422: {"description": "a bad field, named in the message"},
        503: {"description": "the run queue is full"},
    })  # fmt: skip
    def submit(req: RunRequest, response: Response) -> dict[str, Any]:
        """Queue a run (or find it stored: a run is a pure function of its request)."""
        job = _job(req.scenario, req.params, req.seed, req.scale, req.end, force=req.force)
        if st.verified(job.key):
            response.status_code = 200
            return _ref(job.key, "done")
        if req.paused:  # before it is queued: the run waits after its first week
            app.state.playbacks.open(job.key, paused=True)
        got = _enqueue(jobs, job)
        return _ref(got.key, got.status) | {"position": jobs.position(got.key)}

    @app.get("/api/runs", tags=["runs"])
    def list_runs(
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    ) -> list[dict[str, Any]]:
        """Stored runs, newest first, after the runs queued or running."""
        frame = st.runs()
        stored = set(frame["key"]) if not frame.empty else set()
        # a job is briefly both active and stored: between the run's write and its status
        out = [
            j.summary() | {"url": f"/runs/{j.key}"} for j in jobs.active() if j.key not in stored
        ]
        if not frame.empty:
            frame = frame.assign(mtime=[_mtime(st, k) for k in frame["key"]])
            frame = frame.sort_values("mtime", ascending=False).head(limit)
            for row in frame.to_dict("records"):
                out.append(_row(row))
        return out

    @app.get("/api/runs/{key}", tags=["runs"])
    def get_run(key: str) -> dict[str, Any]:
        """A run's status; once stored, its manifest, chronology and targets."""
        if not st.path_of(_key(key)).is_dir():
            job = jobs.get(key)
            if job is None:
                raise HTTPException(404, f"no run {key!r}")
            pb = app.state.playbacks.get(key)
            return job.summary() | {"position": jobs.position(key), "url": f"/runs/{key}",
                                    "paused": pb is not None and pb.state == "paused"}  # fmt: skip
        r = _load(st, key)
        return {"key": key, "status": "done", "url": f"/runs/{key}", **_describe(r)}

    @app.get("/api/runs/{key}/series", tags=["runs"])
    def series(key: str, columns: str | None = None) -> dict[str, Any]:
        """Indicator columns over dates (``columns``: names separated by commas; all if empty).
        Missing values are null."""
        r = _load(st, key)
        names = list(r.columns) if not columns else [c for c in columns.split(",") if c]
        unknown = [c for c in names if c not in r.columns]
        if unknown:
            raise _bad_query("columns", ",".join(unknown), "indicator names of this run")
        return {
            "key": key,
            "dates": [str(d) for d in r.dates],
            "columns": {c: [_num(x) for x in r.columns[c]] for c in names},
        }

    @app.get("/api/runs/{key}/progress", tags=["runs"], response_class=StreamingResponse)
    async def progress(key: str, request: Request) -> StreamingResponse:
        """Server-sent events: ``progress`` (new indicator rows), then ``done``, ``failed`` or
        ``cancelled``."""
        if jobs.get(key) is None and not st.has_run(_key(key)):
            raise HTTPException(404, f"no run {key!r}")
        return StreamingResponse(
            _events(key, jobs, st, request),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @app.post("/api/runs/{key}/cancel", tags=["runs"])
    def cancel(key: str, body: CancelRequest) -> dict[str, Any]:
        """Cancel a queued or running run (the body: ``{}``; see web/guard.py)."""
        if not jobs.cancel(key):
            raise HTTPException(409, f"run {key!r} is not queued or running")
        return {"key": key, "status": "cancelling"}

    @app.get("/api/runs/{key}/files/{name}", tags=["runs"])
    def download(key: str, name: str) -> Response:
        """The run's files: Parquet, manifest, CSV of indicators or events, the HTML report."""
        if name not in FILES:
            raise HTTPException(404, f"no file {name!r}; files: {', '.join(FILES)}")
        r = _load(st, key)
        disposition = {"Content-Disposition": f'attachment; filename="{key}-{name}"'}
        if name in ("indicators.parquet", "events.parquet", "manifest.json"):
            return FileResponse(st.path_of(key) / name, headers=disposition)
        if name == "indicators.csv":
            return _csv(r.indicators, disposition)
        if name == "events.csv":
            return _csv(r.events_frame(), disposition)
        page = _report(reports, reports_lock, (key,), lambda: build([_group(r)], "run"))
        return Response(page, media_type="text/html; charset=utf-8", headers=disposition)

    app.state.reports = (reports, reports_lock)


def _job(
    scenario: str, params: dict[str, float], seed: int, scale: int | None, end: Any,
    path: str = "scenario", force: dict[str, str] | None = None,
) -> Job:  # fmt: skip
    sc, label = scenario_source(scenario, params, end, path, force)
    key = content_key(sc.to_dict(), seed, resolve_scales(scale), source_hash())
    return Job(key=key, label=label, scenario=sc, seed=seed, scale=scale, start=sc.start,
               step_days=sc.step_days)  # fmt: skip


def _enqueue(jobs: Jobs, job: Job) -> Job:
    try:
        return jobs.submit(job)
    except QueueFull as e:
        raise HTTPException(503, str(e), headers={"Retry-After": "10"}) from None


def _ref(key: str, status: str) -> dict[str, Any]:
    return {"key": key, "status": status, "url": f"/runs/{key}", "api": f"/api/runs/{key}"}


def _key(key: str) -> str:
    if not KEY.match(key):
        raise HTTPException(404, f"no run {key!r} (a run's key is 24 hexadecimal digits)")
    return key


def _load(st: Store, key: str) -> Result:
    """A stored run, verified (a corrupt one: StoreError, answered 503, and quarantined)."""
    if not st.path_of(_key(key)).is_dir():
        raise HTTPException(404, f"no stored run {key!r}")
    return st.load(key)


def _mtime(st: Store, key: str) -> float:
    try:
        return (st.path_of(key) / "manifest.json").stat().st_mtime
    except OSError:
        return 0.0


def _row(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: _plain_value(v) for k, v in row.items()}
    out["scales"] = json.loads(row["scales"]) if isinstance(row.get("scales"), str) else None
    out["interventions"] = json.loads(row["interventions"]) if row.get("interventions") else []
    out["status"] = "done"
    out["url"] = f"/runs/{row['key']}"
    return out


def _plain_value(v: Any) -> Any:
    if v is None or isinstance(v, (str, bool, int)):
        return v
    if isinstance(v, float):
        return None if math.isnan(v) else v
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return None if np.isnan(v) else float(v)
    if pd.isna(v):
        return None
    return str(v)[:10] if hasattr(v, "isoformat") else str(v)


def _num(x: Any) -> float | None:
    f = float(x)
    return f if math.isfinite(f) else None


def _live_columns() -> Callable[[dict[str, float]], list[str]]:
    """The columns sent live: those the figures draw (worked out once, from the first row)."""
    chosen: list[str] = []

    def pick(row: dict[str, float]) -> list[str]:
        if not chosen:
            for spec in FIGURES:
                for p in spec.panels:
                    chosen.extend(c for c in expand(p.series, set(row)) if c not in chosen)
        return chosen

    return pick


def _describe(r: Result) -> dict[str, Any]:
    m = r.manifest
    sc = m.get("scenario", {})
    changed = {
        k: v for k, v in sc.get("params", {}).items() if k in BY_NAME and v != BY_NAME[k].default
    }
    events = [
        {"date": str(r.dates[e.step]), "kind": e.kind, "text": e.text, "data": e.data,
         "forced": bool(e.data.get("forced"))}
        for e in r.events if e.kind != "soviet_election"
    ]  # fmt: skip
    targets = [
        {k: _plain_value(v) if not isinstance(v, list) else v for k, v in t.items()}
        for t in score([r])
    ]
    return {
        "label": _label(r),
        "manifest": m,
        "changed_params": changed,
        "columns": list(r.columns),
        "start": str(r.dates[0]),
        "end": str(r.dates[-1]),
        "events": json.loads(json.dumps(events, default=str)),
        "targets": targets,
    }


def _label(r: Result) -> str:
    sc = r.manifest.get("scenario", {})
    return f"{sc.get('meta', {}).get('title') or sc.get('name', 'run')} (seed {r.manifest.get('seed')})"


def _group(r: Result) -> Group:
    return Group(_label(r), [r])


def _csv(frame: pd.DataFrame, headers: dict[str, str]) -> Response:
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    return Response(buf.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


def _report(
    cache: OrderedDict[tuple[str, ...], bytes],
    lock: threading.Lock,
    key: tuple[str, ...],
    make: Callable[[], str],
) -> bytes:
    with lock:
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
    page = make().encode("utf-8")
    with lock:
        cache[key] = page
        while len(cache) > REPORT_CACHE:
            cache.popitem(last=False)
    return page


async def _events(key: str, jobs: Jobs, st: Store, request: Request) -> AsyncIterator[str]:
    sent = 0
    idle = 0.0
    while True:
        job = jobs.get(key)
        if job is None or job.status == "done":
            if job is not None and job.rows[sent:]:
                yield _sse("progress", _progress(job, jobs, sent))
            if st.has_run(key):
                yield _sse("done", {"key": key, "url": f"/runs/{key}"})
            else:
                yield _sse(
                    "failed", {"key": key, "message": "the run is neither queued nor stored"}
                )
            return
        if job.status in ("failed", "cancelled"):
            yield _sse(job.status, {"key": key, "message": job.error or job.status})
            return
        upto = len(job.rows)  # the run appends while we send: send exactly what was counted
        if upto > sent or idle >= 10.0:
            yield _sse("progress", _progress(job, jobs, sent, upto))
            sent = upto
            idle = 0.0
        if await request.is_disconnected():
            return
        await asyncio.sleep(0.2)
        idle += 0.2


def _progress(job: Job, jobs: Jobs, sent: int, upto: int | None = None) -> dict[str, Any]:
    rows = job.rows[sent:upto]
    return job.summary() | {"position": jobs.position(job.key), "rows": rows}


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, allow_nan=False)}\n\n"


# -- comparisons -------------------------------------------------------------------------------
def _compare(app: FastAPI, st: Store, jobs: Jobs) -> None:
    reports, lock = app.state.reports

    @app.post("/api/compare", tags=["compare"], status_code=202)
    def compare_scenarios(req: CompareRequest) -> dict[str, Any]:
        """Run several shipped scenarios with the same seed (common random numbers), and give the
        comparison's URL. Runs already stored are not run again."""
        planned = [_job(s, {}, req.seed, req.scale, req.end, f"scenarios.{i}")
                   for i, s in enumerate(req.scenarios)]  # fmt: skip
        active = {j.key for j in jobs.active()}
        todo = [j for j in planned if not st.verified(j.key) and j.key not in active]
        waiting = sum(j.status == "queued" for j in jobs.active())
        if waiting + len(todo) > jobs.capacity:
            raise HTTPException(
                503,
                f"the run queue cannot take {len(todo)} more runs ({waiting} waiting, at most "
                f"{jobs.capacity}); try again when runs have finished",
                headers={"Retry-After": "10"},
            )
        for j in planned:
            if not st.has_run(j.key):
                _enqueue(jobs, j)
        keys = [j.key for j in planned]
        return {"runs": keys, "url": "/compare?runs=" + ",".join(keys)}

    @app.get("/api/compare", tags=["compare"])
    def compare_runs(runs: str) -> dict[str, Any]:
        """Several stored runs side by side: their descriptions and their status."""
        keys = _keys(runs)
        out = []
        for k in keys:
            if st.path_of(k).is_dir():
                r = _load(st, k)
                d = _describe(r)
                out.append({"key": k, "status": "done", **{x: d[x] for x in (
                    "label", "changed_params", "columns", "start", "end", "events", "targets")},
                    "interventions": r.manifest.get("interventions", []),
                    "seed": r.manifest.get("seed"), "scales": r.manifest.get("scales")})  # fmt: skip
            elif (job := jobs.get(k)) is not None:
                out.append(job.summary())
            else:
                raise HTTPException(404, f"runs: no run {k!r}")
        return {"runs": out, "url": "/compare?runs=" + ",".join(keys),
                "report": "/api/compare/report.html?runs=" + ",".join(keys)}  # fmt: skip

    @app.get("/api/compare/report.html", tags=["compare"], response_class=HTMLResponse)
    def compare_report(runs: str) -> Response:
        """The comparison as one self-contained HTML report."""
        keys = _keys(runs)
        groups = [_group(_load(st, k)) for k in keys]
        page = _report(reports, lock, ("compare", *keys), lambda: build(groups, "compare"))
        headers = {"Content-Disposition": 'attachment; filename="comparison-report.html"'}
        return Response(page, media_type="text/html; charset=utf-8", headers=headers)


def _keys(runs: str) -> list[str]:
    keys = [k for k in runs.split(",") if k]
    if not 1 <= len(keys) <= MAX_COMPARE:
        raise _bad_query("runs", runs, f"1 to {MAX_COMPARE} run keys separated by commas")
    for k in keys:
        if not KEY.match(k):
            raise _bad_query("runs", k, "a run's key: 24 hexadecimal digits")
    return keys


# -- the levers: forced decisions -----------------------------------------------------------------
def _decisions(app: FastAPI) -> None:
    @app.get("/api/decisions", tags=["catalogue"])
    def decisions() -> list[dict[str, Any]]:
        """The decisions a run may force (``force`` in ``POST /api/runs``): "never", or a date."""
        return [{"name": d, "title": EVENT_NAMES[d], "meaning": EVENT_KINDS[d]} for d in DECISIONS]


# -- playback: play, pause, step ------------------------------------------------------------------
def _playback(app: FastAPI, jobs: Jobs, playbacks: Playbacks) -> None:
    @app.post("/api/runs/{key}/playback", tags=["runs"], responses={
        409: {"description": "the run is not queued or running"},
    })  # fmt: skip
    def playback(
        key: str,
        action: Annotated[str, Query(description="play, pause or step")],
        weeks: Annotated[int, Query(ge=1, le=520)] = 1,
    ) -> dict[str, Any]:
        """Play, pause, or step a running run by ``weeks`` (pausing it)."""
        if action not in ACTIONS:
            raise _bad_query("action", action, ", ".join(ACTIONS))
        job = jobs.get(key)
        if job is None or job.status not in ("queued", "running"):
            raise HTTPException(409, f"run {key!r} is not queued or running")
        pb = playbacks.open(key)
        if action == "play":
            pb.play()
        elif action == "pause":
            pb.pause()
        else:
            pb.step(weeks)
        return {"key": key, "state": pb.state, "step": job.step, "total": job.total}


# -- comparisons over N members ---------------------------------------------------------------------
def _members(app: FastAPI, comparisons: Comparisons) -> None:
    @app.post("/api/comparisons", tags=["compare"], status_code=202, responses={
        503: {"description": "the comparison queue is full"},
    })  # fmt: skip
    def submit_members(req: MembersRequest) -> dict[str, Any]:
        """Compare scenarios over N member seeds each (common random numbers): the probability
        of an event with its 95% interval, and each difference from the first scenario."""
        try:
            e = comparisons.submit(req)
        except OverflowError as err:
            raise HTTPException(503, str(err), headers={"Retry-After": "10"}) from None
        return e.summary()

    @app.post("/api/comparisons/{ident}/cancel", tags=["compare"])
    def cancel_members(ident: str, body: CancelRequest) -> dict[str, Any]:
        """Cancel a queued or running comparison (the body: ``{}``): it stops before its next
        run; the runs done stay stored."""
        e = comparisons.cancel(ident)
        if e is None:
            if comparisons.get(ident) is None:
                raise HTTPException(404, f"no comparison {ident!r}")
            raise HTTPException(409, f"comparison {ident!r} is not queued or running")
        return e.summary()

    @app.get("/api/comparisons/{ident}", tags=["compare"])
    def get_members(ident: str) -> dict[str, Any]:
        e = comparisons.get(ident)
        if e is None:
            raise HTTPException(404, f"no comparison {ident!r}")
        return e.summary()
