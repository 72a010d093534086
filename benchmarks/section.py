"""What a section is: its name, its results dataclass and how it runs; what a run gives it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from bench_setup import Environment, Generated
from benchlib import Budget
from results import Config, Results

R = TypeVar("R")


@dataclass
class Context:
    """What a running section gets: configuration, budget, set-up, and the results so far."""

    cfg: Config
    budget: Budget
    env: Environment
    gen: Generated
    results: Results


@dataclass(frozen=True)
class Section(Generic[R]):
    """One section of ``make bench`` (see ``registry.py`` and the README on adding one).

    The orchestrator creates ``result_type()`` (every field defaulted), stores it in
    ``Results.sections[name]`` and calls ``run(context, result)``, which fills it in as it
    measures: if the section fails halfway, what it measured so far is still reported.
    """

    name: str
    help: str
    result_type: type[R]
    run: Callable[[Context, R], None]

    def result(self, results: Results) -> R | None:
        """This section's results in ``results``, None when it did not run."""
        value = results.sections.get(self.name)
        return value if isinstance(value, self.result_type) else None
