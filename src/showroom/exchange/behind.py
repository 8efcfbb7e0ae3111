"""Writing behind reading: the database work of a long import done by a thread of its own, on
the caller's connection and within its transaction, while the caller reads and prepares the
next rows.

Python runs one thread at a time, but a thread waiting for the database lets the other run: the
database stores, indexes and checks what it was sent on the other core while the next rows are
made ready. The caller does not use the connection until it has closed the writer, except
through `call` (psycopg would make it wait; SQLite's connection is not meant for two threads at
once); the transaction stays the caller's, so that everything commits or rolls back together.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections

T = TypeVar("T")

# How often the caller hears from a writer it waits for (seconds).
WAITING_EVERY = 0.2
# How long a thread holds the interpreter while another waits for it, while a writer works
# (seconds; Python's default is 0.005): the writer, back from the database, sends the next
# rows sooner, and the database waits less (a 100,000-row import: 5.0 -> 4.5 s).
SWITCH_INTERVAL = 0.001

_DONE = object()


class _Call:
    """A call whose caller waits for its result."""

    def __init__(self, function: Callable[[], Any]) -> None:
        self.function = function
        self.result: Any = None
        self.ready = threading.Event()

    def __call__(self) -> None:
        try:
            self.result = self.function()
        finally:
            self.ready.set()


class Behind:
    """Runs the functions handed over (`do`), in order, in a thread of its own on the caller's
    connection. What one raises is raised again by `call` and `close`; the functions handed
    over after it are dropped."""

    def __init__(self, *, name: str, using: str = DEFAULT_DB_ALIAS) -> None:
        self.connection = connections[using]
        self.error: BaseException | None = None
        self._cancelled = self._released = False
        self._work: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.connection.inc_thread_sharing()
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self._switch_interval, SWITCH_INTERVAL))
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def do(self, function: Callable[[], Any]) -> None:
        if self.error is None:
            self._work.put(function)

    def call(self, function: Callable[[], T]) -> T:
        """`function()`, run once what was handed over before is done."""
        call = _Call(function)
        self._work.put(call)
        while not call.ready.wait(WAITING_EVERY):
            if not self._thread.is_alive():
                break
        self._raise()
        return call.result  # type: ignore[no-any-return]

    def close(self, waiting: Callable[[], None] | None = None) -> None:
        """Waits for what was handed over to be done, calling `waiting()` now and then."""
        self._work.put(_DONE)
        try:
            while self._thread.is_alive():
                self._thread.join(WAITING_EVERY)
                if waiting is not None:
                    waiting()
        except BaseException:  # an interrupt: the caller rolls back at once
            self.cancel()
            raise
        self._release()
        self._raise()

    def cancel(self) -> None:
        """Drops what was handed over and not yet begun, and waits for the writer to stop: the
        caller is about to roll back, which must not meet the writer still writing (it would
        go on outside the transaction)."""
        self._cancelled = True
        self._work.put(_DONE)
        self._thread.join()
        self._release()

    def _release(self) -> None:
        if self._released:
            return
        self._released = True
        self.connection.dec_thread_sharing()
        sys.setswitchinterval(self._switch_interval)

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        # This thread's connection is the caller's: the same transaction.
        connections[self.connection.alias] = self.connection
        while (function := self._work.get()) is not _DONE:
            if self.error is not None or self._cancelled:
                if isinstance(function, _Call):
                    function.ready.set()
                continue
            try:
                function()
            except BaseException as exc:  # raised again in the caller's thread
                self.error = exc
