"""Progress on stderr: stage lines and a throttled counter, only where a person watches a terminal."""

from __future__ import annotations

import io

import pytest

from xlcost import progress


class Terminal(io.StringIO):
    def __init__(self, tty: bool = True) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def no_override(monkeypatch):
    monkeypatch.delenv(progress.ENV_VAR, raising=False)


def test_stages_show_on_a_terminal_only():
    terminal, pipe = Terminal(), Terminal(tty=False)
    for stream in (terminal, pipe):
        progress.stage("computing the model", stream=stream)
        progress.stage("drawing charts", stream=stream)
    assert terminal.getvalue() == "xlcost: computing the model...\nxlcost: drawing charts...\n"
    assert pipe.getvalue() == ""


@pytest.mark.parametrize("value, shown", [("1", True), ("yes", True), ("0", False), ("off", False), ("", None)])
def test_the_environment_variable_forces_progress_on_or_off(monkeypatch, value, shown):
    monkeypatch.setenv(progress.ENV_VAR, value)
    for tty in (True, False):
        stream = Terminal(tty)
        progress.stage("writing the PDF", stream=stream)
        assert bool(stream.getvalue()) == (tty if shown is None else shown)


def test_counter_redraws_one_line_at_most_ten_times_a_second():
    terminal, clock = Terminal(), Clock()
    with progress.Counter(10_000, "Monte Carlo trials", stream=terminal, clock=clock) as on_progress:
        for done in range(1, 10_001):
            clock.now = done * 0.0001  # 10,000 steps in one second
            on_progress(done, 10_000)
    text = terminal.getvalue()
    draws = text.split("\r")[1:]
    assert 10 <= len(draws) <= 12  # ~10 a second, plus the last state
    assert draws[-1] == "xlcost: Monte Carlo trials 10,000/10,000 (100%)\n"
    assert "\n" not in "".join(draws[:-1])  # one line, redrawn in place


def test_counter_shows_the_last_count_when_closed_and_nothing_off_a_terminal():
    terminal, clock = Terminal(), Clock()
    counter = progress.Counter(500, "trials", stream=terminal, clock=clock)
    counter(1, 500)
    for _ in range(9):
        counter.advance()  # within the same tenth of a second: not drawn
    counter.close()
    assert terminal.getvalue() == "\rxlcost: trials 1/500 (0%)\rxlcost: trials 10/500 (2%)\n"
    pipe = Terminal(tty=False)
    with progress.Counter(5, "trials", stream=pipe, clock=clock) as on_progress:
        on_progress(5, 5)
    assert pipe.getvalue() == ""


def test_a_broken_stderr_never_fails_the_work():
    class Broken(Terminal):
        def write(self, text: str) -> int:
            raise BrokenPipeError

    progress.stage("computing the model", stream=Broken())
    with progress.Counter(3, "trials", stream=Broken()) as on_progress:
        on_progress(3, 3)
