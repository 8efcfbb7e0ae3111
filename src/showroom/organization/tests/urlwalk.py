"""The project's URL patterns, walked once with their namespaces (for the permission tests)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Pattern:
    name: str  # "kpi:dashboard"; the dotted view path for an unnamed pattern
    namespace: str  # the outermost namespace ("" for none)
    route: str  # "kpi/drill/"
    callback: Callable[..., Any]
    converters: dict[str, str]  # kwarg name → converter class name ("IntConverter")

    def __str__(self) -> str:
        return self.name


def _walk(
    patterns: list[Any], namespaces: tuple[str, ...], route: str, converters: dict[str, str]
) -> Iterator[Pattern]:
    for p in patterns:
        found = {k: type(v).__name__ for k, v in getattr(p.pattern, "converters", {}).items()}
        if isinstance(p, URLResolver):
            inner = (*namespaces, p.namespace) if p.namespace else namespaces
            yield from _walk(p.url_patterns, inner, route + str(p.pattern), converters | found)
        elif isinstance(p, URLPattern):
            callback = p.callback
            path = p.name or f"{callback.__module__}.{getattr(callback, '__qualname__', '?')}"
            yield Pattern(
                name=":".join((*namespaces, path)),
                namespace=namespaces[0] if namespaces else "",
                route=route + str(p.pattern),
                callback=callback,
                converters=converters | found,
            )


def url_patterns() -> list[Pattern]:
    return list(_walk(get_resolver().url_patterns, (), "", {}))


def _closure(func: Any) -> dict[str, Any]:
    cells = getattr(func, "__closure__", None) or ()
    return {n: c.cell_contents for n, c in zip(func.__code__.co_freevars, cells, strict=True)}


def _layers(callback: Any) -> Iterator[Any]:
    func, seen = callback, 0
    while func is not None and seen < 20:
        yield func
        func, seen = getattr(func, "__wrapped__", None), seen + 1


def decorator_roles(callback: Any) -> frozenset[str] | None:
    """The roles a decorator of the view closes over (`roles`), or None without one."""
    for func in _layers(callback):
        if inspect.isfunction(func) and "roles" in _closure(func):
            return frozenset(str(r) for r in _closure(func)["roles"])
    return None


def accepts_post(callback: Any) -> bool:
    """Does the view do anything different for a POST than for a GET?"""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post")
    innermost = callback
    for func in _layers(callback):
        innermost = func
        if inspect.isfunction(func) and "request_method_list" in _closure(func):
            return "POST" in _closure(func)["request_method_list"]
    try:
        source = inspect.getsource(innermost)
    except (OSError, TypeError):
        return True
    # A view that never looks at POST answers it as it answers GET.
    return "POST" in source
