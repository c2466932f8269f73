"""Small FIT files built with fit-tool (a dev dependency), for what the synthetic writer does not emit.

The synthetic writer (`hamstring_analyzer.synthetic`) writes what a running
watch writes; these files add event messages, several sessions, and totals at
the edges of what FIT can store.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

fit_tool = pytest.importorskip("fit_tool", reason="fit-tool (in the test extra) builds these FIT files")

from fit_tool.fit_file_builder import FitFileBuilder  # noqa: E402
from fit_tool.profile.messages.activity_message import ActivityMessage  # noqa: E402
from fit_tool.profile.messages.event_message import EventMessage  # noqa: E402
from fit_tool.profile.messages.file_id_message import FileIdMessage  # noqa: E402
from fit_tool.profile.messages.record_message import RecordMessage  # noqa: E402
from fit_tool.profile.messages.session_message import SessionMessage  # noqa: E402
from fit_tool.profile.profile_type import Event, EventType, FileType, Manufacturer, Sport  # noqa: E402

FIT_EPOCH_S = 631065600
SPORTS = {"running": Sport.RUNNING, "cycling": Sport.CYCLING}
GEAR_EVENTS = {"front": Event.FRONT_GEAR_CHANGE, "rear": Event.REAR_GEAR_CHANGE}


@dataclass
class Session:
    """One session: ``seconds`` of 1 Hz records from ``start_s`` [UNIX s] at ``speed_mps``."""

    start_s: int
    seconds: int = 60
    sport: str = "running"
    speed_mps: float = 3.0
    #: (seconds after start, "front" or "rear") for each gear change.
    gear_changes: list[tuple[int, str]] = field(default_factory=list)
    #: Session totals to write in place of the true ones (FIT units: m, s).
    total_distance: float | None = None
    total_elapsed_time: float | None = None
    #: Records' enhanced_speed to write in place of speed_mps, by record index.
    speeds: dict[int, float] = field(default_factory=dict)
    write_session: bool = True


def fit_file(*sessions: Session) -> bytes:
    """A FIT activity file holding ``sessions`` in order."""
    builder = FitFileBuilder(auto_define=True)
    first_ms = sessions[0].start_s * 1000
    msg = FileIdMessage()
    msg.type = FileType.ACTIVITY
    msg.manufacturer = Manufacturer.GARMIN.value
    msg.product = 0
    msg.time_created = first_ms
    builder.add(msg)
    end_s = sessions[0].start_s
    for s in sessions:
        _event(builder, s.start_s, Event.TIMER, EventType.START)
        changes = dict(s.gear_changes)
        for i in range(s.seconds):
            rec = RecordMessage()
            rec.timestamp = (s.start_s + i) * 1000
            rec.distance = s.speed_mps * i
            rec.enhanced_speed = s.speeds.get(i, s.speed_mps)
            rec.heart_rate = 150
            builder.add(rec)
            if i in changes:
                _event(builder, s.start_s + i, GEAR_EVENTS[changes[i]], EventType.MARKER)
        end_s = s.start_s + s.seconds - 1
        _event(builder, end_s, Event.TIMER, EventType.STOP_ALL)
        if s.write_session:
            ses = SessionMessage()
            ses.timestamp = end_s * 1000
            ses.start_time = s.start_s * 1000
            ses.total_elapsed_time = s.total_elapsed_time if s.total_elapsed_time is not None else s.seconds - 1
            ses.total_timer_time = s.seconds - 1
            ses.total_distance = s.total_distance if s.total_distance is not None else s.speed_mps * (s.seconds - 1)
            ses.sport = SPORTS[s.sport]
            builder.add(ses)
    act = ActivityMessage()
    act.timestamp = end_s * 1000
    act.num_sessions = sum(s.write_session for s in sessions)
    builder.add(act)
    return builder.build().to_bytes()


def _event(builder, unix_s: int, event, event_type) -> None:
    msg = EventMessage()
    msg.timestamp = unix_s * 1000
    msg.event = event
    msg.event_type = event_type
    builder.add(msg)
