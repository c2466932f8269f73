"""A research cohort on a Dask cluster: the same flags as one runner's, for thousands of athletes.

The work goes to ``dask.distributed`` (a `LocalCluster` of processes, or a
running scheduler's address): an existing engine, not a scheduler of ours.
Dask is imported only here, inside `run_cohort`; without it a daily log
runs on a local process pool, and a team root says ``pip install
'hamstring-analyzer[cohort]'``.

What happens
------------
1. **Athletes.** ``ROOT`` is a team root (athlete folders or export
   archives, optional ``roster.toml``: see `hamstring_analyzer.team`) or a
   daily training log of many athletes (CSV or Parquet;
   `readers.daily_log`). A daily log is read in streamed blocks and cut into
   partitions of whole athletes (`readers.daily_log_parts`), each analysed
   in one task on arrays (`cohort_log`, `cohort_rules`): steps 2 and 3 below
   are for folders and archives, and for the few daily-log athletes the
   arrays leave to them. With ``athlete_logs`` every athlete's rows are also
   written as ``OUT/partitions/<athlete>/daily_log.csv``, so
   ``hamstring-analyzer analyze OUT/partitions/<athlete>`` gives exactly that
   athlete's flags.
2. **Decode, in batches.** Every athlete's files are listed (names and sizes
   only) and cut into batches of about `BATCH_FILES` files or `BATCH_BYTES`
   bytes, across athletes: neither one task per small file nor one per athlete.
   A batch task reads, hashes and parses its files with the ingest's own
   two passes and parser (`ingest.read_files`, `ingest.parse_bytes`) into the
   run store, skipping every file the store already holds. A batch whose worker
   dies (a parser crash) is retried file by file; a file that still kills its
   worker is left to step 3, where the export's crash isolation reports it.
3. **Analyse.** Each athlete is analysed with the very calls of the
   ``analyze`` command (`ingest.load_runs` over the store, then
   `analysis.analyze`): no rule is implemented twice. Groups of athletes go
   to each task; a task writes its part of each cohort table.

The run store, partitioned by athlete
-------------------------------------
The store (`hamstring_analyzer.store`, layout unchanged) keeps one index of
every file it holds, read whole by each ingest. One store shared by 10,000
athletes would make every athlete's analysis read the whole cohort's index,
so the cohort keeps one store per athlete: ``STORE/<athlete>/store-v1/``
(``STORE`` is ``OUT/store`` unless ``--store`` says otherwise; every worker
must reach it, e.g. on a shared file system). Each is an ordinary store, so
``analyze --cache-dir STORE/<athlete>`` reuses it too.

Cohort tables
-------------
``OUT/runs/``, ``OUT/weeks/`` and ``OUT/flags/`` are Parquet datasets (read
each whole with ``pyarrow.parquet.read_table`` or ``pandas.read_parquet``):
an ``athlete`` column, then exactly the fields of the analyze JSON's
``runs``, ``weeks`` and ``flags`` (built by `Analysis.to_dict`).
``OUT/athletes/`` has one row per athlete: the number of runs, weeks and
flags by severity, ``error`` (null, or why the athlete could not be
analysed), ``rules_not_applicable`` (the rules that need samples, for an
athlete known only from summaries such as a daily log) and the daily log's
other columns (gender, age group...).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import shutil
import stat
import time
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .cohort_tasks import SUMMARY_RULES, TABLES, analyse_batch, analyse_one, rules_not_applicable, write_table  # noqa: F401 (their old home)
from .errors import CohortError
from .ingest import FAILED, is_activity_name, parse_here, read_files
from .cohort_log import analyse_log_part, cut_logs, write_problems
from .readers.daily_log_parts import PARTITION_ROWS
from .store import RunStore
from .team import athlete_folder, read_roster
from .team_folders import mark_report_output
from .workers import close_pool, start_pool, wait_for_some

#: A decode batch holds about this many files, or this many bytes, whichever comes first.
BATCH_FILES = 400
BATCH_BYTES = 128 * 1024 * 1024
#: Analysis tasks per worker (more tasks balance better; fewer cost less overhead).
TASKS_PER_WORKER = 4
DAILY_LOG_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".pq")
INSTALL_HINT = "pip install 'hamstring-analyzer[cohort]'"
#: Seconds the Dask client, then its local cluster, have to close (the client's own default is twice its connect timeout).
CLOSE_TIMEOUT_S = 60


# ---------------------------------------------------------------- athletes ---




def is_daily_log_root(root: Path) -> bool:
    """A daily log file, or a folder whose only tables are daily logs (no athlete folders, no archives)."""
    if root.is_file():
        return root.name.lower().endswith(DAILY_LOG_SUFFIXES)
    entries = [p for p in root.iterdir() if not p.name.startswith(".")]
    tables = [p for p in entries if p.is_file() and p.name.lower().endswith(DAILY_LOG_SUFFIXES)]
    return bool(tables) and not any(p.is_dir() or p.name.lower().endswith(".zip") for p in entries)


def athlete_files(root: Path) -> list[tuple[str, int]]:
    """(path relative to the athlete, bytes) of every file a reader takes or archive under an athlete, in a stable order.

    An athlete that is an archive is one entry, ``("", size)``.
    """
    if root.is_file():
        return [("", root.stat().st_size)]
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if not (name.lower().endswith(".zip") or is_activity_name(name)):
                continue
            path = Path(dirpath) / name
            try:
                st = os.stat(path)
            except OSError:
                continue  # read (and reported) by the analysis
            if stat.S_ISREG(st.st_mode):
                out.append((path.relative_to(root).as_posix(), st.st_size))
    return out


# ------------------------------------------------------------------ decode ---


def decode_batch(batch: list[tuple[str, str, list[str]]]) -> dict:
    """Decode one batch of files into their athletes' stores: ``[(athlete path, store folder, [relative paths])]``.

    Runs in a Dask worker (or in this process for the plain path), through the
    ingest's own two passes (`ingest.read_files`: the activity lists first, whose
    sport for each file is part of its key), so the analysis finds what this
    stored. Files are parsed in this process: a crash costs the task, which
    `_run_decode` retries file by file. Returns counts: files, parsed, hits
    (already in the store), failed (a parser exception: not stored, read again
    and reported by the analysis).
    """
    stats = {"files": 0, "parsed": 0, "hits": 0, "failed": 0}
    for root_text, store_dir, rels in batch:
        store = RunStore(store_dir)
        store.check()
        try:
            read = read_files(Path(root_text), store, [], lambda items, store=store: parse_here(items, store), only=rels)
        finally:
            store.flush()
        failed = sum(1 for kind, _ in read.results.values() if kind == FAILED)
        stats["files"] += read.files
        stats["parsed"] += read.parsed - failed
        stats["hits"] += store.hits
        stats["failed"] += failed
    return stats


def decode_batches(entries: list[tuple[int, str, int]], athletes, stores: list[str], workers: int = 1) -> list[list]:
    """Cut (athlete index, relative path, bytes) entries into batches of about `BATCH_FILES` files or `BATCH_BYTES`
    (smaller when that would leave workers idle: at least `TASKS_PER_WORKER` batches per worker when there are files enough)."""
    per_batch = max(1, min(BATCH_FILES, math.ceil(len(entries) / (max(1, workers) * TASKS_PER_WORKER))))
    batches, current, n, size = [], {}, 0, 0
    for i, rel, nbytes in entries:
        if current and (n >= per_batch or size + nbytes > BATCH_BYTES):
            batches.append([(str(athletes[k].path), stores[k], r) for k, r in current.items()])
            current, n, size = {}, 0, 0
        current.setdefault(i, []).append(rel)
        n += 1
        size += nbytes
    if current:
        batches.append([(str(athletes[k].path), stores[k], r) for k, r in current.items()])
    return batches


# ----------------------------------------------------------------- analyse ---


def conform_parts(out: Path, schemas: dict[str, list]) -> None:
    """Give every part of a table one schema (a column all null in one part takes the type it has elsewhere)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    for table, found in schemas.items():
        if not found:
            continue
        unified = pa.unify_schemas([s for s in found], promote_options="permissive")
        for path in sorted((out / table).glob("part-*.parquet")):
            if pq.read_schema(path).remove_metadata().equals(unified.remove_metadata()):
                continue  # read only the footer: at scale, most parts already have the one schema
            part = pq.read_table(path)
            columns = [part.column(f.name).cast(f.type) if f.name in part.column_names else pa.nulls(len(part), f.type) for f in unified]
            write_table(path, pa.Table.from_arrays(columns, schema=unified))


# ------------------------------------------------------------------- run ---


@dataclass
class CohortSummary:
    """What a cohort run did and found."""

    out: str
    athletes: int = 0
    analysed: int = 0
    runs: int = 0
    flags: dict = field(default_factory=lambda: {"alert": 0, "warning": 0, "info": 0})
    errors: list = field(default_factory=list)  # (athlete, reason)
    problems: list = field(default_factory=list)  # daily log rows left out
    decode: dict = field(default_factory=lambda: {"files": 0, "parsed": 0, "hits": 0, "failed": 0, "batches": 0})
    parsed_at_analysis: int = 0
    seconds: dict = field(default_factory=dict)  # by phase
    dashboard: str | None = None
    workers: int = 0
    log: dict = field(default_factory=lambda: {"rows": 0, "partitions": 0, "days": 0, "arrays": 0, "one_by_one": 0})  # a daily log's

    @property
    def runs_per_s(self) -> float:
        total = sum(self.seconds.values())
        return self.runs / total if total > 0 else float("nan")

    def text(self) -> str:
        d = self.decode
        lines = [
            f"{self.analysed} of {self.athletes} athletes analysed: {self.runs} runs; flags: {self.flags['alert']} alerts, "
            f"{self.flags['warning']} warnings, {self.flags['info']} info.",
            f"Decoded {d['files']} files in {d['batches']} batches: {d['parsed']} parsed, {d['hits']} already in the store"
            + (f", {d['failed']} left to the analysis" if d["failed"] else "") + ".",
            "Time: " + ", ".join(f"{k} {v:.1f} s" for k, v in self.seconds.items()) + f" ({self.runs_per_s:.0f} runs/s).",
        ]
        if self.log["rows"]:
            g = self.log
            lines[1] = (f"Daily log: {g['rows']} rows in {g['partitions']} partitions, {g['days']} running days; {g['arrays']} athletes analysed "
                        f"together on arrays, {g['one_by_one']} one by one.")  # fmt: skip
        if self.problems:
            lines.append(f"{len(self.problems)} rows of the daily log were left out (listed in {self.out}/problems.csv).")
        for name, reason in self.errors[:10]:
            lines.append(f"error: {name}: {reason}")
        if len(self.errors) > 10:
            lines.append(f"... and {len(self.errors) - 10} more athletes with errors (OUT/athletes/, column error).")
        lines.append(f"Wrote {self.out}/runs/, {self.out}/weeks/, {self.out}/flags/ and {self.out}/athletes/ (Parquet).")
        return "\n".join(lines)


def _dask():
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise CohortError(f"the cohort command needs Dask: {INSTALL_HINT}") from None
    return distributed


def start_client(scheduler: str | None, workers: int | None):
    """A Dask client: to ``scheduler`` when given, else to a new local cluster of worker processes.

    The local workers are not daemon processes, so an athlete's analysis can
    still isolate a file that crashes its parser in a process of its own.
    """
    distributed = _dask()
    import dask

    if scheduler:
        try:
            return distributed.Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise CohortError(f"{scheduler}: cannot reach the Dask scheduler ({exc})") from None
        except ValueError:  # a malformed address, or a protocol no scheduler listens on (inproc:// elsewhere)
            raise CohortError(f"{scheduler}: not a Dask scheduler's address (e.g. tcp://10.0.0.5:8786)") from None
    n = workers or os.cpu_count() or 1
    with dask.config.set({"distributed.worker.daemon": False, "distributed.scheduler.allowed-failures": 1,
                          "distributed.logging.distributed": "error"}):  # fmt: skip
        cluster = distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
                                           silence_logs=40)  # fmt: skip
        return distributed.Client(cluster)


def close_client(client) -> None:
    """Close ``client`` and its local cluster, each within `CLOSE_TIMEOUT_S`: a worker process that does
    not stop becomes an error, not a run that never ends (``LocalCluster.close`` waits for ever by default)."""
    cluster = client.cluster
    try:
        client.close(timeout=CLOSE_TIMEOUT_S)
        if cluster is not None:
            cluster.close(timeout=CLOSE_TIMEOUT_S)
    except TimeoutError:
        raise CohortError(f"the local Dask cluster did not stop within {CLOSE_TIMEOUT_S} s; its worker processes may still run") from None


def run_cohort(
    root: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    store_dir: str | os.PathLike | None = None,
    timezone: str | None = None,
    client=None,
    plain: bool = False,
    partition_rows: int = PARTITION_ROWS,
    athlete_logs: bool = False,
    say: Callable[[str], None] = lambda s: None,
) -> CohortSummary:
    """Decode, analyse and tabulate a cohort (see the module docstring).

    Parameters
    ----------
    root : path
        A team root (athlete folders or archives, optional roster) or a daily log (file or folder of them).
    out_dir : path
        Where the tables (and, by default, the store and a daily log's partitions) go.
    scheduler : str, optional
        A running Dask scheduler's address; default: a `LocalCluster` of ``workers`` processes (a daily log
        without Dask installed: a local process pool of ``workers``).
    client : distributed.Client, optional
        Use this client (and leave it open).
    plain : bool
        No Dask: the same tasks one after another in this process (the single-machine path).
    partition_rows : int
        A daily log's rows per partition (one task each; memory per worker follows it).
    athlete_logs : bool
        Also write each daily-log athlete's rows as ``OUT/partitions/<athlete>/daily_log.csv`` (for ``analyze``).

    Raises
    ------
    CohortError
        Dask is not installed (a team root), the scheduler cannot be reached, or ROOT holds no athlete.
    RosterError, ParseError
        The roster or the daily log cannot be read (one line naming the file).
    """
    root, out = Path(root), Path(out_dir)
    daily = is_daily_log_root(root)
    local_pool = False
    if not plain and client is None:
        try:
            _dask()  # before any work: the one-line install hint
        except CohortError:
            if not daily or scheduler:
                raise
            local_pool = True  # a daily log needs no cluster: this machine's cores
    out.mkdir(parents=True, exist_ok=True)
    mark_report_output(out)  # with --out inside ROOT, a later team or cohort run never takes it for an athlete
    summary = CohortSummary(out=str(out))
    t0 = time.perf_counter()
    stores_root = Path(store_dir) if store_dir else out / "store"
    stores_root.mkdir(parents=True, exist_ok=True)
    if daily:
        files = [root] if root.is_file() else sorted(p for p in root.iterdir() if p.is_file() and p.name.lower().endswith(DAILY_LOG_SUFFIXES))
        parts = cut_logs(files, out / ".parts", partition_rows, summary.log, summary.problems)
        say(f"Daily log: {summary.log['rows']} rows cut into {summary.log['partitions']} partitions of whole athletes.")
    else:
        athletes = read_roster(root)
        if not athletes:
            raise CohortError(f"{root}: no athletes (no athlete folders or archives, and no daily log)")
        summary.athletes = len(athletes)
        stores = [str(stores_root / athlete_folder(a.name)) for a in athletes]
        entries = [(i, rel, size) for i, a in enumerate(athletes) if a.path.exists() and not a.problem for rel, size in athlete_files(a.path)]
    summary.seconds["listing" if not daily else "cutting"] = time.perf_counter() - t0

    own_client = executor = None
    broken = False
    if not plain and client is None and not local_pool:
        client = own_client = start_client(scheduler, workers)
    try:
        if client is not None:
            summary.dashboard = client.dashboard_link
            summary.workers = len(client.scheduler_info()["workers"])
            say(f"Dask dashboard: {summary.dashboard} ({summary.workers} workers)" + _dashboard_note(own_client is not None))
        elif local_pool:
            summary.workers = workers or os.cpu_count() or 1
            executor = start_pool(summary.workers)
            say(f"Dask is not installed: {summary.workers} local processes ({INSTALL_HINT} for a cluster).")
        if daily:
            today = dt.date.today()
            tasks = [(analyse_log_part, (pieces, str(out), j, str(stores_root), today, timezone, athlete_logs)) for j, pieces in enumerate(parts)]
        else:
            batches = decode_batches(entries, athletes, stores, summary.workers or 1)
            summary.decode["batches"] = len(batches)
            t = time.perf_counter()
            for stats in _run_decode(client, batches, say):
                for k in ("files", "parsed", "hits", "failed"):
                    summary.decode[k] += stats[k]
            summary.seconds["decode"] = time.perf_counter() - t
            say(f"Decoded {summary.decode['files']} files: {summary.decode['parsed']} parsed, {summary.decode['hits']} already stored.")
            n_tasks = max(1, min(len(athletes), max(1, summary.workers) * TASKS_PER_WORKER))
            per_task = math.ceil(len(athletes) / n_tasks)
            tasks = [(analyse_batch, ([(a, stores[k], None) for k, a in list(enumerate(athletes))[j : j + per_task]], str(out), j // per_task,
                                      timezone)) for j in range(0, len(athletes), per_task)]  # fmt: skip
        t = time.perf_counter()
        for table in TABLES:
            for old in (out / table).glob("part-*.parquet"):
                old.unlink()
        schemas: dict[str, list] = {t: [] for t in TABLES}
        for part in _run_tasks(client, executor, tasks):
            summary.parsed_at_analysis += part["parsed"]
            for table, schema in part["schemas"].items():
                schemas[table].append(schema)
            if daily:
                summary.problems += part["problems"]
                for k in ("days", "arrays", "one_by_one"):
                    summary.log[k] += part[k]
            for row in part["athletes"]:
                summary.athletes += daily
                if row["error"]:
                    summary.errors.append((row["athlete"], row["error"]))
                else:
                    summary.analysed += 1
                    summary.runs += row["runs"]
                    for s in ("alert", "warning", "info"):
                        summary.flags[s] += row[s]
        conform_parts(out, schemas)
        summary.seconds["analyse"] = time.perf_counter() - t
    except BrokenProcessPool:
        broken = True
        raise
    finally:
        if executor is not None:
            close_pool(executor, broken)
        if own_client is not None:
            close_client(own_client)
    if daily:
        shutil.rmtree(out / ".parts", ignore_errors=True)
        write_problems(out, summary.problems)
        if not summary.athletes:
            raise CohortError(f"{root}: no athletes (the daily log holds no readable row)")
    summary.errors.sort()
    return summary


def _dashboard_note(local: bool) -> str:
    """Why a local cluster's dashboard link would show nothing: Dask serves it with bokeh."""
    import importlib.util

    if local and importlib.util.find_spec("bokeh") is None:
        return f"; the page needs bokeh: {INSTALL_HINT}"
    return ""


def _run_decode(client, batches: list, say) -> list[dict]:
    """Each batch's counts; a batch whose worker died is tried again file by file (a crashing file is left to the analysis)."""
    if client is None:
        return [decode_batch(b) for b in batches]
    from distributed import as_completed

    out = []
    futures = {client.submit(decode_batch, b, pure=False, retries=0): b for b in batches}
    queue = as_completed(list(futures))
    for fut in queue:
        batch = futures.pop(fut)
        try:
            out.append(fut.result())
        except Exception as exc:  # noqa: BLE001 - KilledWorker (a crash) or an error in the task
            singles = [[(root, store, [rel])] for root, store, rels in batch for rel in rels]
            if len(singles) > 1:
                say(f"A decode batch failed ({type(exc).__name__}); trying its {len(singles)} files one by one.")
                for single in singles:
                    f = client.submit(decode_batch, single, pure=False, retries=0)
                    futures[f] = single
                    queue.add(f)
            else:
                out.append({"files": 1, "parsed": 0, "hits": 0, "failed": 1})
        fut.release()
    return out


def _run_tasks(client, executor, tasks: list):
    """Each task's result as it completes: on Dask, on a local process pool, or here one after another."""
    if client is not None:
        from distributed import as_completed

        futures = [client.submit(fn, *args, pure=False) for fn, args in tasks]
        for fut in as_completed(futures):
            yield fut.result()
            fut.release()
    elif executor is not None:
        running = {executor.submit(fn, *args) for fn, args in tasks}
        while running:
            for fut in wait_for_some(executor, running):  # never waits on a worker that died unseen (see there)
                running.discard(fut)
                yield fut.result()
    else:
        for fn, args in tasks:
            yield fn(*args)


def worker_peak_rss(client) -> dict:
    """Each Dask worker's peak resident memory so far [bytes] (Linux: ru_maxrss is in KiB)."""
    return client.run(_peak_rss)


def _peak_rss() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def cohort_tables(out_dir: str | os.PathLike) -> dict:
    """The cohort tables as pandas frames: ``{"runs", "weeks", "flags", "athletes"}`` (empty frames when absent)."""
    import pandas as pd
    import pyarrow.parquet as pq

    tables = {}
    for table in TABLES:
        folder = Path(out_dir) / table
        tables[table] = pq.read_table(folder).to_pandas() if any(folder.glob("part-*.parquet")) else pd.DataFrame()
    return tables


def remove_store(path: str | os.PathLike) -> None:
    shutil.rmtree(path, ignore_errors=True)
