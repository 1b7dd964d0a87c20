"""Progress on stderr while a person waits: one line per stage, and a counter for long loops.

    from xlcost import progress
    progress.stage("computing the model")              # "xlcost: computing the model..."
    with progress.counter(trials, "Monte Carlo trials") as on_progress:
        run_trials(on_progress=on_progress)             # the engine calls on_progress(done, total)

Shown only when stderr is a terminal, so pipes, files and scripts see nothing; ``XLCOST_PROGRESS=1``
shows it anyway (tests, CI logs) and ``XLCOST_PROGRESS=0`` hides it on a terminal. Stdout carries
only results, so ``xlcost export ... > results.json`` stays clean either way.

The pure engine never imports this module: a front end passes ``on_progress`` (any callable taking
``(done, total)``) down through the API, and the engine calls it now and then.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TextIO

ENV_VAR = "XLCOST_PROGRESS"
REDRAWS_PER_SECOND = 10

OnProgress = Callable[[int, int], None]


def enabled(stream: TextIO | None = None) -> bool:
    """Whether progress is shown on ``stream`` (default: stderr)."""
    forced = os.environ.get(ENV_VAR, "").strip().lower()
    if forced:
        return forced not in ("0", "false", "no", "off")
    stream = stream if stream is not None else sys.stderr
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def _write(stream: TextIO | None, text: str) -> None:
    """Progress is never worth failing for: a closed or broken stderr just shows nothing."""
    if stream is None:
        return
    try:
        stream.write(text)
        stream.flush()
    except (OSError, ValueError):
        pass


def stage(text: str, *, stream: TextIO | None = None) -> None:
    """Say what is being done now, on a line of its own: ``xlcost: <text>...``."""
    stream = stream if stream is not None else sys.stderr
    if enabled(stream):
        _write(stream, f"xlcost: {text}...\n")


class Counter:
    """A one-line counter (``xlcost: Monte Carlo trials 1,200/10,000 (12%)``) redrawn at most
    REDRAWS_PER_SECOND times a second; call it as ``on_progress(done, total)``, and close it (or use it
    as a context manager) to end the line."""

    def __init__(self, total: int, label: str, *, stream: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.total = max(int(total), 0)
        self.label = label
        self.done = 0
        self._stream = stream if stream is not None else sys.stderr
        self._shown = enabled(self._stream)
        self._clock = clock
        self._last_draw: float | None = None
        self._drawn: tuple[int, int] | None = None
        self._width = 0

    def __call__(self, done: int, total: int | None = None) -> None:
        if total is not None:
            self.total = max(int(total), 0)
        self.done = min(max(int(done), 0), self.total) if self.total else max(int(done), 0)
        now = self._clock()
        finished = self.total and self.done >= self.total
        if finished or self._last_draw is None or now - self._last_draw >= 1 / REDRAWS_PER_SECOND:
            self._draw(now)

    def advance(self, step: int = 1) -> None:
        self(self.done + step)

    def _draw(self, now: float) -> None:
        self._last_draw = now
        if not self._shown or self._drawn == (self.done, self.total):
            return
        self._drawn = (self.done, self.total)
        text = f"xlcost: {self.label} {self.done:,}"
        if self.total:
            text += f"/{self.total:,} ({self.done / self.total:.0%})"
        # \r returns to the line's start; pad with spaces over a longer previous line
        _write(self._stream, "\r" + text.ljust(self._width))
        self._width = len(text)

    def close(self) -> None:
        """Show the final count and end the line."""
        if self._shown and self._width:
            self._draw(self._clock())
            _write(self._stream, "\n")
            self._width = 0

    def __enter__(self) -> Counter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def counter(total: int, label: str, *, stream: TextIO | None = None) -> Counter:
    """A Counter for ``total`` steps of ``label`` (e.g. "Monte Carlo trials")."""
    return Counter(total, label, stream=stream)
