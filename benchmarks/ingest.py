"""Ingest benchmark: decode speed, memory and store size against the issue-12 targets.

Run: python benchmarks/ingest.py [--runs 1000] [--more 3000]

Builds (or reuses) exports of one-hour-ish synthetic FIT runs in
benchmarks/.data/, and uses the real running FIT files in ../shared/real_runs
when they are there. Every phase runs in a fresh process, one after the other,
so each has its own peak memory (the largest resident size of the process and
of its worker processes) and its own CPU time (the process and its workers):
  * fitfast alone decoding every record of every file (the decode limit),
  * fitparse decoding every record (a sample of files, scaled to all),
  * a cold ingest (empty store, one worker),
  * a warm ingest (everything stored),
  * a warm ingest plus the analysis (per-run metrics, weeks, flags).
Cold, warm and analysis also run on ``--more`` runs, for the memory growth per
extra run. Ratios compare CPU seconds measured in this one run, so a busy
machine shifts them little; the load average is printed with the table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from workers_usage import reap_workers  # noqa: E402

DATA = HERE / ".data"
REAL_RUNS = Path(os.environ.get("HAMSTRING_REAL_RUNS", HERE.parent.parent / "shared" / "real_runs"))


def build(n: int) -> Path:
    from hamstring_analyzer.synthetic import RunPlan, Segment, write_fit

    folder = DATA / f"export-{n}"
    if folder.exists() and len(list(folder.glob("*.fit"))) == n:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    start = dt.datetime(2020, 1, 1, 7, 0)
    for i in range(n):
        minutes = 40 + (i * 7) % 50  # 40-89 minutes, 1 s recording like a modern watch
        plan = RunPlan(start + dt.timedelta(days=i * 1.3), [Segment(minutes * 60, 3.0 + (i % 5) * 0.1, 172 + i % 8)], seed=i, sample_every_s=1)
        (folder / f"run-{i:04d}.fit").write_bytes(write_fit(plan))
    return folder


def real_fit_folder() -> Path | None:
    """The real running FIT files (per ../shared/real_runs/INDEX.md), linked into one folder."""
    index = REAL_RUNS / "INDEX.md"
    if not index.exists():
        return None
    from hamstring_analyzer.readers.fit import decode_fitfast

    folder = DATA / "real-fit"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    n = 0
    for line in index.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 13 and cells[1] == "FIT" and "running" in cells[2] and not cells[12]:
            try:  # only files the decode limit can be measured on: those fitfast reads whole (others fall back to fitparse)
                decode_fitfast((REAL_RUNS / cells[0]).read_bytes())
            except Exception:  # noqa: BLE001
                continue
            (folder / f"{n:03d}-{Path(cells[0]).name}").symlink_to(REAL_RUNS / cells[0])
            n += 1
    return folder if n else None


# ------------------------------------------------------------- one phase ---


def _usage() -> tuple[float, float]:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    return cpu, max(me.ru_maxrss, kids.ru_maxrss) / 1024.0


def phase(name: str, folder: Path, store: Path, sample: int) -> dict:
    files = sorted(p for p in folder.iterdir() if p.suffix == ".fit")
    cpu0, _ = _usage()
    t0 = time.perf_counter()
    extra = {}
    if name == "fitfast":
        import fitfast

        for p in files:
            fitfast.records(p.read_bytes(), "record", degrees=False)
    elif name == "fitparse":
        import fitparse

        chosen = files[:: max(1, len(files) // sample)][:sample]
        for p in chosen:
            for message in fitparse.FitFile(io.BytesIO(p.read_bytes())).get_messages("record"):
                message.get_values()
        extra["scale"] = sum(p.stat().st_size for p in files) / sum(p.stat().st_size for p in chosen)
    else:
        from hamstring_analyzer.ingest import load_runs

        export = load_runs(folder, cache_dir=store, workers=1 if name == "cold" else None)
        extra["runs"] = len(export.runs)
        extra["parsed"] = export.parsed
        if name == "analyze":
            from hamstring_analyzer.analysis import analyze

            extra["flags"] = len(analyze(export).flags)
    wall = time.perf_counter() - t0
    reap_workers()  # the fork server's workers count among this phase's children
    cpu1, peak = _usage()
    return {"cpu_s": (cpu1 - cpu0) * extra.pop("scale", 1.0), "wall_s": wall, "peak_mb": peak, **extra}


def run_phase(name: str, folder: Path, store: Path, sample: int = 40) -> dict:
    cmd = [sys.executable, __file__, "--phase", name, "--folder", str(folder), "--store", str(store), "--sample", str(sample)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"phase {name} on {folder} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ main ----


def measure(folder: Path, label: str, with_decoders: bool = True) -> dict:
    out = {"label": label, "files": len(list(folder.glob("*.fit")))}
    out["fit_mb"] = sum(p.stat().st_size for p in folder.glob("*.fit")) / 2**20
    if with_decoders:
        out["fitfast"] = run_phase("fitfast", folder, Path("/nonexistent"))
        out["fitparse"] = run_phase("fitparse", folder, Path("/nonexistent"))
    store = Path(tempfile.mkdtemp(prefix="bench-store-"))
    try:
        out["cold"] = run_phase("cold", folder, store)
        out["store_mb"] = sum(p.stat().st_size for p in store.rglob("*.parquet")) / 2**20
        out["warm"] = run_phase("warm", folder, store)
        out["analyze"] = run_phase("analyze", folder, store)
    finally:
        shutil.rmtree(store, ignore_errors=True)
    return out


def compile_package() -> None:
    """Write the package's bytecode, as installing it does: each phase is a fresh process, and
    without it (an editable checkout, PYTHONDONTWRITEBYTECODE) each would compile the sources again."""
    import compileall

    import hamstring_analyzer

    compileall.compile_dir(Path(hamstring_analyzer.__file__).parent, quiet=1)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--more", type=int, default=3000, help="a larger export, for memory growth per run (0: skip)")
    parser.add_argument("--phase")
    parser.add_argument("--folder")
    parser.add_argument("--store")
    parser.add_argument("--sample", type=int, default=40)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, Path(args.folder), Path(args.store), args.sample)))
        return

    load = os.getloadavg()
    compile_package()
    sets = [measure(build(args.runs), f"{args.runs} synthetic runs")]
    real = real_fit_folder()
    if real is not None:
        sets.append(measure(real, "real running FIT files"))
    big = measure(build(args.more), f"{args.more} synthetic runs", with_decoders=False) if args.more else None

    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at start, "
          f"{os.getloadavg()[0]:.2f} at end")  # fmt: skip
    print(f"{'':<34}{'CPU s':>8}{'wall s':>8}{'peak MB':>9}{'ms/file':>9}")
    for s in sets + ([big] if big else []):
        print(f"{s['label']} ({s['files']} files, {s['fit_mb']:.1f} MiB of FIT)")
        for key in ("fitfast", "fitparse", "cold", "warm", "analyze"):
            if key in s:
                r = s[key]
                print(f"  {key:<32}{r['cpu_s']:>8.2f}{r['wall_s']:>8.2f}{r['peak_mb']:>9.0f}{1000 * r['cpu_s'] / s['files']:>9.2f}")
        print(f"  {'store on disk':<32}{s['store_mb']:>8.1f} MiB ({s['store_mb'] / s['fit_mb']:.2f} x the FIT files)")
    print()
    print(f"{'target':<58}{'measured':>12}  verdict")
    rows = []
    for s in sets:
        fast, slow, cold = s["fitfast"]["cpu_s"], s["fitparse"]["cpu_s"], s["cold"]["cpu_s"]
        rows.append((f"cold ingest <= 2x fitfast decode ({s['label']})", f"{cold / fast:.1f}x", cold / fast <= 2))
        rows.append((f"cold ingest >= 40x faster than fitparse ({s['label']})", f"{slow / cold:.1f}x", slow / cold >= 40))
        rows.append((f"store <= the FIT files ({s['label']})", f"{s['store_mb'] / s['fit_mb']:.2f}x", s["store_mb"] <= s["fit_mb"]))
    if big:
        small = sets[0]
        for key in ("cold", "warm", "analyze"):
            peak = big[key]["peak_mb"]
            rows.append((f"{key} peak memory, {big['files']} runs < 500 MB", f"{peak:.0f} MB", peak < 500))
            growth = (peak - small[key]["peak_mb"]) / (big["files"] - small["files"])
            rows.append((f"{key} memory growth < 0.05 MiB per extra run", f"{growth:.3f} MiB", growth < 0.05))
    for name, value, ok in rows:
        print(f"{name:<58}{value:>12}  {verdict(ok)}")


if __name__ == "__main__":
    sys.exit(main())
