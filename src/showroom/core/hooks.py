"""How a higher app contributes to a lower app without the lower one importing it.

A lower app declares a `Hook` (for example My day's panels, or the front desk's rotation
rules); a higher app registers a function on it in its `AppConfig.ready`. The lower app
calls every registered function and uses what they return, never knowing who they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

R = TypeVar("R")


class Hook(Generic[R]):
    """An ordered set of functions contributed by higher apps, all called with the same
    keyword arguments."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._functions: list[Callable[..., R | None]] = []

    def register(self, function: Callable[..., R | None]) -> Callable[..., R | None]:
        """Add `function` (once, whatever the number of calls); usable as a decorator."""
        if function not in self._functions:
            self._functions.append(function)
        return function

    def __iter__(self) -> Iterator[Callable[..., R | None]]:
        return iter(list(self._functions))

    def __len__(self) -> int:
        return len(self._functions)

    def results(self, **kwargs: Any) -> list[R]:
        """What every function returns for `kwargs`, in registration order, None left out."""
        return [r for r in (f(**kwargs) for f in self) if r is not None]


@dataclass(frozen=True)
class Panel:
    """A part of a screen contributed by another app: a template and its context."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 0


def panels(hook: Hook[Panel], **kwargs: Any) -> list[Panel]:
    """The panels `hook` contributes for `kwargs`, in their `order`."""
    return sorted(hook.results(**kwargs), key=lambda p: p.order)
