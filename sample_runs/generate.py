"""Write the demo export in this folder: 22 weeks of one runner, as a watch export looks.

Run: python sample_runs/generate.py      (deterministic: the same files every time)

The story is in README.md beside this script. Files land in ``export/``.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import shutil
import zipfile
from pathlib import Path

from hamstring_analyzer.synthetic import RunPlan, Segment, simulate, write_fit, write_gpx, write_tcx

HERE = Path(__file__).resolve().parent
OUT = HERE / "export"
FIRST_MONDAY = dt.date(2026, 5, 4)
EASY = 1000 / 340  # 5:40 min/km [m/s]
STEADY = 1000 / 315
FAST = 1000 / 250  # 4:10 min/km: well under this runner's ~4:45 threshold
HILLY = dict(hill_amplitude_m=14.0, hill_wavelength_m=1400.0)  # ~20 m of climb per km
ROLLING = dict(hill_amplitude_m=6.0, hill_wavelength_m=1200.0)  # ~10 m/km
FLAT = dict(hill_amplitude_m=0.6, hill_wavelength_m=3000.0)  # canal path: ~0 m/km


def day(week: int, weekday: int, hour: int = 7, minute: int = 0) -> dt.datetime:
    d = FIRST_MONDAY + dt.timedelta(weeks=week - 1, days=weekday)
    return dt.datetime(d.year, d.month, d.day, hour, minute)


def easy(week, weekday, km, cadence=177, terrain=ROLLING, hour=7, **kw) -> RunPlan:
    return RunPlan(day(week, weekday, hour), [Segment(km * 1000 / EASY, EASY, cadence)], seed=week * 10 + weekday, **terrain, **kw)


def long_run(week, weekday, km, cadence=176, terrain=ROLLING, **kw) -> RunPlan:
    return RunPlan(day(week, weekday, 8), [Segment(km * 1000 / (STEADY * 0.98), STEADY * 0.98, cadence)], seed=week * 10 + weekday, **terrain, **kw)


def intervals(week, weekday, reps, rep_m, terrain=ROLLING) -> RunPlan:
    segs = [Segment(2000 / EASY, EASY, 176, "warmup")]
    for r in range(reps):
        segs.append(Segment(rep_m / FAST, FAST, 186, "interval"))
        segs.append(Segment(120, 2.2, 165, "recovery"))
    segs.append(Segment(2000 / EASY, EASY, 175, "cooldown"))
    return RunPlan(day(week, weekday, 18), segs, seed=week * 10 + weekday, laps_by_segment=True, **terrain)


def story() -> dict[int, list[RunPlan]]:
    """Week number -> the runs of that week (see README.md)."""
    w: dict[int, list[RunPlan]] = {}
    # Weeks 1-4: a steady base, ~30 km, four runs, rolling and hilly routes. Quiet.
    for week, lr in ((1, 11), (2, 11.5), (3, 12), (4, 12.5)):
        w[week] = [easy(week, 1, 6), easy(week, 3, 6.5, terrain=HILLY), easy(week, 4, 5.5), long_run(week, 6, lr, terrain=HILLY)]
    # Week 5: quiet, a touch more.
    w[5] = [easy(5, 1, 6.5), easy(5, 3, 7, terrain=HILLY), easy(5, 4, 6), long_run(5, 6, 13, terrain=HILLY)]
    # Week 6: a sudden jump, 32.5 -> ~46 km (+40%): weekly_mileage_jump.
    w[6] = [easy(6, 0, 8), easy(6, 1, 8), easy(6, 3, 9, terrain=HILLY), easy(6, 4, 6), long_run(6, 6, 15, terrain=HILLY)]
    # Week 7: back down. Quiet.
    w[7] = [easy(7, 1, 6), easy(7, 3, 7, terrain=HILLY), easy(7, 4, 6), long_run(7, 6, 13, terrain=HILLY)]
    # Week 8: a new interval plan, twice, on the flat track path: speedwork_share (>20% fast).
    # (Three runs, ~34 km: the distance barely changes, the intensity does.)
    w[8] = [intervals(8, 1, 8, 800, terrain=FLAT), intervals(8, 4, 6, 1000, terrain=FLAT), long_run(8, 6, 10, terrain=HILLY)]
    # Week 9: quiet.
    w[9] = [easy(9, 1, 6), easy(9, 3, 7, terrain=HILLY), easy(9, 4, 6), long_run(9, 6, 13, terrain=HILLY)]
    # Week 10: new heavy shoes, a lazy stride: cadence ~166 on every run (low_cadence).
    w[10] = [easy(10, 1, 6, cadence=166), easy(10, 3, 7, cadence=165, terrain=HILLY), easy(10, 4, 6, cadence=167), long_run(10, 6, 13, cadence=166, terrain=HILLY)]
    # Weeks 11-12: long runs move to the flat canal path: 15 km (not yet "long"), then
    # 16.5 km fading late (cadence drops 12 spm over the last quarter), and a rainy-day
    # 16.5 km on the treadmill (flat_long_run twice, late_run_fatigue).
    w[11] = [easy(11, 1, 6), easy(11, 3, 7, terrain=HILLY), easy(11, 4, 6), long_run(11, 6, 15, terrain=FLAT)]
    # (Week 12 stays within +10% of week 11: ~37 km, so only the flat long runs stand out.)
    w[12] = [
        easy(12, 1, 4),
        RunPlan(day(12, 3, 19), [Segment(16500 / STEADY, STEADY, 178)], sub_sport="treadmill", seed=123, hill_amplitude_m=0.0),
        long_run(12, 6, 16.5, cadence=177, terrain=FLAT, late_cadence_drop_spm=12),
    ]
    # Weeks 13-14: a calf niggle, no running (16 days: Sunday of week 12 to Wednesday of week 15).
    # Week 15: back with a bang: ~40 km in the first 7 days, more than the pre-gap ~34 km/week
    # (70% would be ~24 km): layoff_return.
    w[15] = [easy(15, 2, 8), easy(15, 3, 8), easy(15, 4, 6), long_run(15, 6, 12, terrain=HILLY)]
    # Weeks 16-22: a patient rebuild, never more than +10% a week. Quiet.
    for week, km in ((16, 30), (18, 33), (19, 34), (20, 34), (21, 36), (22, 36)):
        easy_km = (km - 12) / 3
        w[week] = [easy(week, 1, easy_km), easy(week, 3, easy_km, terrain=HILLY), easy(week, 4, easy_km), long_run(week, 6, 12, terrain=HILLY)]
    # Week 17: two easy runs, the long run, and Saturday's run whose file the dead battery
    # cut at ~4.8 km (written in main()): ~32 km in all.
    w[17] = [easy(17, 1, 7.6), easy(17, 3, 7.6, terrain=HILLY), long_run(17, 6, 12, terrain=HILLY)]
    return w


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    (OUT / "garmin").mkdir(parents=True)
    (OUT / "phone").mkdir()
    weeks = story()
    nested = io.BytesIO()
    plans = [p for week in sorted(weeks) for p in weeks[week]]
    with zipfile.ZipFile(nested, "w", zipfile.ZIP_DEFLATED) as inner_zip:
        for i, plan in enumerate(plans):
            stamp = plan.start_local.strftime("%Y-%m-%d-%H-%M")
            samples = simulate(plan)
            if stamp.startswith(("2026-05-05", "2026-05-12")):  # two early runs came from the phone app, GPX
                (OUT / "phone" / f"{stamp}.gpx").write_bytes(write_gpx(plan, samples))
            elif stamp.startswith("2026-05-07"):  # one from an old TCX export
                (OUT / "phone" / f"{stamp}.tcx").write_bytes(write_tcx(plan, samples))
            elif stamp.startswith("2026-05-19"):  # one gzipped, as Strava exports them
                (OUT / "garmin" / f"{stamp}.fit.gz").write_bytes(gzip.compress(write_fit(plan, samples), mtime=0))
            elif plan.start_local.date() >= dt.date(2026, 9, 1):  # recent months sit in Garmin's nested zip
                info = zipfile.ZipInfo(f"{stamp}_ACTIVITY.fit", date_time=(2026, 10, 1, 0, 0, 0))
                inner_zip.writestr(info, write_fit(plan, samples))
            else:
                (OUT / "garmin" / f"{stamp}.fit").write_bytes(write_fit(plan, samples))
            if stamp.startswith("2026-06-28"):  # the Sunday long run of week 8 also synced from the phone
                (OUT / "phone" / f"{stamp}-phone.gpx").write_bytes(write_gpx(plan, samples, creator="Strava Android"))
    outer = OUT / "garmin-connect-export.zip"
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip", date_time=(2026, 10, 1, 0, 0, 0))
        z.writestr(info, nested.getvalue())
        z.writestr(zipfile.ZipInfo("DI_CONNECT/DI-Connect-User/user_profile.json", date_time=(2026, 10, 1, 0, 0, 0)), '{"gender": "unknown"}\n')
    # Not runs: a ride and a walk.
    ride = RunPlan(day(9, 5, 10), [Segment(5400, 7.5, 85)], sport="cycling", seed=901, **ROLLING)
    (OUT / "garmin" / "2026-07-04-10-00-ride.fit").write_bytes(write_fit(ride))
    walk = RunPlan(day(14, 5, 15), [Segment(3000, 1.4, 110)], sport="walking", seed=902, **ROLLING)
    (OUT / "garmin" / "2026-08-08-15-00-walk.fit").write_bytes(write_fit(walk))
    # Broken: a watch that died mid-run (truncated), and a file that is not FIT at all.
    cut = write_fit(easy(17, 5, 8, hour=9))
    (OUT / "garmin" / "2026-08-29-09-00-battery-died.fit").write_bytes(cut[: int(len(cut) * 0.6)])
    (OUT / "garmin" / "2026-09-12-corrupt.fit").write_bytes(b"this is not a FIT file, it was overwritten by a sync tool\n")
    print(f"wrote {sum(1 for _ in OUT.rglob('*') if _.is_file())} files under {OUT}")


if __name__ == "__main__":
    main()
