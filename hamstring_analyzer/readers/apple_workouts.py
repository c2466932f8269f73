"""The first pass over an Apple Health export: its running workout elements, each parsed on its own.

Split from `apple_health` (which reads the export) so each module stays
short. The pass is driven by `xmlsafe.stream_xml`: the bytes between the
``<Workout`` openings are skipped by a byte search, and each workout element
is fed to a fresh expat parser that stops (`Resume`) at the element's end,
so damage or a tag left open costs that workout only.
"""

from __future__ import annotations

from .xmlsafe import Resume

RUNNING = "HKWorkoutActivityTypeRunning"


class WorkoutPass:
    """The first pass: each running workout, element by element, as ``{"attrs", "stats", "meta", "events", "routes", "segments"}``.

    ``stats`` and ``meta`` are the workout's direct children only: its totals.
    Each ``<WorkoutActivity>`` (a segment of an interval workout) keeps its own
    in ``segments``, once per uuid (some exports repeat a segment). A workout
    that does not close before the next opens, holds damaged XML or spans more
    than ``max_element_bytes`` is left out and counted, and the workouts beyond
    ``max_workouts``. Each workout element is
    parsed by a parser of its own, which stops (`Resume`) at its end.
    """

    def __init__(self, max_element_bytes: int, max_workouts: int):
        self.max_element_bytes, self.max_workouts = max_element_bytes, max_workouts
        self.found: list[dict] = []
        self.broken = self.too_large = self.beyond = self.unreadable = 0  # workouts left out, by why
        self.open_at_end = False
        self._w: dict | None = None

    def parser(self):
        from xml.parsers.expat import ParserCreate

        self._p = ParserCreate()
        self._p.StartElementHandler = self._start
        self._w = None
        return self._p

    def _start(self, name: str, attrs: dict) -> None:
        if name == "Workout":
            if self._w is not None:
                self._drop("broken")  # a workout opening inside another: the other never closed
            if attrs.get("workoutActivityType") != RUNNING:
                raise Resume(self._p.CurrentByteIndex)
            self._w = {"attrs": attrs, "stats": {}, "meta": {}, "events": [], "routes": [], "segments": {}}
            self._at, self._depth, self._child = self._p.CurrentByteIndex, 0, ""
            self._p.EndElementHandler = self._end
        elif self._w is not None:
            self._depth += 1
            if self._p.CurrentByteIndex - self._at > self.max_element_bytes:
                self._drop("too large")
                raise Resume(self._p.CurrentByteIndex)
            if self._depth == 1:
                self._child = name
                self._direct(name, attrs)
            elif self._child == "WorkoutRoute" and name == "FileReference" and attrs.get("path"):
                self._w["routes"].append(attrs["path"])
            elif self._child == "WorkoutActivity" and self._depth == 2:
                if name == "WorkoutStatistics":
                    self._segment["stats"][attrs.get("type", "")] = attrs
                elif name == "MetadataEntry":
                    self._segment["meta"][attrs.get("key", "")] = attrs.get("value", "")

    def _direct(self, name: str, attrs: dict) -> None:
        w = self._w
        if name == "WorkoutStatistics":
            w["stats"][attrs.get("type", "")] = attrs
        elif name == "MetadataEntry":
            w["meta"][attrs.get("key", "")] = attrs.get("value", "")
        elif name == "WorkoutEvent":
            w["events"].append(attrs)
        elif name == "WorkoutActivity":
            self._segment = {"stats": {}, "meta": {}}
            self._segment_key = attrs.get("uuid") or str(len(w["segments"]))

    def _end(self, name: str) -> None:
        if self._depth > 0:
            if self._depth == 1 and self._child == "WorkoutActivity":
                self._w["segments"].setdefault(self._segment_key, self._segment)
            self._depth -= 1
            return
        if self._p.CurrentByteIndex - self._at > self.max_element_bytes:
            self._drop("too large")
        elif len(self.found) >= self.max_workouts:
            self._drop("beyond")
        else:
            self.found.append(self._w)
            self._w, self._p.EndElementHandler = None, None
        raise Resume(self._p.CurrentByteIndex)

    def _drop(self, why: str) -> None:
        if why == "broken":
            self.broken += 1
        elif why == "too large":
            self.too_large += 1
        else:
            self.beyond += 1
        self._w, self._p.EndElementHandler = None, None

    def on_break(self, why: str) -> None:
        """A parser stopped (`xmlsafe.stream_xml`): the workout it was in is lost."""
        if why == "end":
            self.open_at_end = self._w is not None
        elif why == "too large":
            self.too_large += 1
        elif self._w is not None:
            self.broken += 1
        else:  # its opening tag is broken: which sport it was cannot be told
            self.unreadable += 1
        self._w = None

    def reasons(self, whole: bool, budget: str) -> list[str]:
        """One line per kind of loss, for each run's warnings (``budget``: the element budget as written)."""
        broken = self.broken + (self.open_at_end and whole)  # cut short: the last workout is the cut's
        lines = [f"{broken} running workouts of the export are broken XML and were left out" if broken else "",
                 f"{self.unreadable} workouts of the export open with a broken tag and were left out" if self.unreadable else "",
                 f"{self.too_large} workouts of the export are larger than {budget} and were left out" if self.too_large else "",
                 f"the export holds more than {self.max_workouts} running workouts: {self.beyond} were left out" if self.beyond else ""]  # fmt: skip
        return [line for line in lines if line]
