"""Periodic tasks: registered by name, each run once per tick, by the local worker between
its polls and by the periodic Lambda once per invocation; one failing stops no other."""

import pytest

from langportal.jobs import lambdas, periodic, worker
from langportal.jobs.lambdas import run_periodic
from langportal.jobs.worker import Invocation


class Task:
    """A periodic task for these tests: it records the seconds each run was given."""

    def __init__(self, *, fails: bool = False, takes: float = 0.0, clock=None):
        self.runs: list[float] = []
        self.fails, self.takes, self.clock = fails, takes, clock

    def __call__(self, *, seconds: float) -> str:
        self.runs.append(seconds)
        if self.clock is not None:
            self.clock.advance(self.takes)
        if self.fails:
            raise RuntimeError("the task broke")
        return "ran"


@pytest.fixture
def tasks():
    """register(name, task) for one test: the registry is as it was afterwards."""
    kept = dict(periodic._registry)
    periodic._registry.clear()
    yield periodic.register
    periodic._registry.clear()
    periodic._registry.update(kept)


def test_every_task_runs_once_per_run_in_the_order_of_their_names(tasks):
    order = []
    tasks("b", lambda *, seconds: order.append("b"))
    tasks("a", lambda *, seconds: order.append("a"))
    periodic.run_all(seconds=10)
    assert order == ["a", "b"]


def test_a_failing_task_is_reported_and_the_others_still_run(tasks):
    broken, fine = Task(fails=True), Task()
    tasks("a-broken", broken)
    tasks("b-fine", fine)
    assert periodic.run_all(seconds=10) == {"a-broken": "failed", "b-fine": "ran"}
    assert len(broken.runs) == len(fine.runs) == 1


def test_each_task_is_given_the_time_the_ones_before_it_left(tasks, hand_clock):
    first, second, third = Task(takes=7, clock=hand_clock), Task(takes=7, clock=hand_clock), Task()
    tasks("1", first)
    tasks("2", second)
    tasks("3", third)
    periodic.run_all(seconds=10, clock=hand_clock)
    assert (first.runs, second.runs, third.runs) == ([10], [3], [0])


def test_two_tasks_of_one_name_are_refused(tasks):
    tasks("forward", Task())
    with pytest.raises(ValueError, match="Two periodic tasks are called 'forward'"):
        tasks("forward", Task())


def test_the_worker_runs_the_tasks_when_due_and_then_waits(tasks):
    task = Task()
    tasks("t", task)
    due = worker.periodic_when_due(0.0, now=100.0)
    assert (len(task.runs), due) == (1, 100.0 + worker.PERIODIC_SECONDS)
    assert worker.periodic_when_due(due, now=due - 0.1) == due
    assert len(task.runs) == 1
    worker.periodic_when_due(due, now=due)
    assert len(task.runs) == 2


def test_the_periodic_lambda_runs_each_task_within_the_invocations_time(tasks):
    task = Task()
    tasks("t", task)
    assert run_periodic({"source": "aws.events"}, Invocation(60)) == {"t": "ran"}
    [given] = task.runs
    assert 34 < given <= 60 - lambdas.PERIODIC_MARGIN_SECONDS
