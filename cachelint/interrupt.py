"""Ctrl-C in the command: exit status 130 with one notice, never a traceback.

From the moment the command starts (:func:`on_early_interrupt`, installed by
:mod:`cachelint.__main__` before anything is imported) Ctrl-C exits at once. Once the
command line runs, :func:`install_handler` makes it raise KeyboardInterrupt instead, so the
run unwinds and :func:`cachelint.parallel.stop_all` stops its workers; a watchdog exits
anyway should the exception get lost.
"""
from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # importing typing costs milliseconds the command spends before Ctrl-C is handled
if TYPE_CHECKING:
    from typing import Callable, Optional

#: Seconds after Ctrl-C before the process exits even if the KeyboardInterrupt got lost
#: (Python drops exceptions raised in ``__del__`` methods and weakref callbacks).
INTERRUPT_GRACE = 2.0


def exit_interrupted() -> None:
    """Exit with 130 at once: no traceback, no waiting for anything still running.

    The workers of any pool still running are stopped first (:func:`cachelint.parallel.stop_all`,
    only when that module was imported: before that there is no pool). The notice is
    written whatever stopping them did (the module may be half imported).
    """
    try:
        stop_all = getattr(sys.modules.get(f"{__package__}.parallel"), "stop_all", None)
        if stop_all is not None:
            stop_all()
    except BaseException:  # a second Ctrl-C, or a pool in a state it cannot be stopped from
        pass
    try:
        sys.stderr.write("cachelint: interrupted\n")
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:  # a second Ctrl-C or a closed pipe must not change the exit code
        pass
    os._exit(130)


def on_early_interrupt(signum, frame) -> None:
    """SIGINT handler until the command line installs its own: exit at once (nothing to unwind)."""
    exit_interrupted()


def install_handler() -> Callable[[], None]:
    """Make Ctrl-C raise KeyboardInterrupt and also arm a watchdog; return the undo function.

    A KeyboardInterrupt Python cannot raise (in a weakref callback or ``__del__``) goes to
    ``sys.unraisablehook``, which then exits at once instead of printing it and going on.

    Only where Ctrl-C is Python's default or :func:`on_early_interrupt`: anything else means
    someone else (a test runner, an embedding program) owns Ctrl-C, and it is left alone.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = signal.getsignal(signal.SIGINT)
    if previous is not signal.default_int_handler and previous is not on_early_interrupt:
        return lambda: None

    def on_interrupt(signum, frame):
        timer = threading.Timer(INTERRUPT_GRACE, exit_interrupted)
        timer.daemon = True
        timer.start()
        raise KeyboardInterrupt

    previous_hook = sys.unraisablehook

    def on_unraisable(unraisable) -> None:
        # The KeyboardInterrupt raised in a weakref callback or __del__ (an import lock's
        # cleanup, say) is dropped by Python with "Exception ignored": exit as promised.
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            exit_interrupted()
        previous_hook(unraisable)

    signal.signal(signal.SIGINT, on_interrupt)
    sys.unraisablehook = on_unraisable

    def restore() -> None:
        signal.signal(signal.SIGINT, previous)
        sys.unraisablehook = previous_hook

    return restore


def is_interrupt(exc: BaseException) -> bool:
    """A Ctrl-C, also when an import wrapped it (``RuntimeError: Error calling __set_name__``)."""
    import click

    seen = 0
    current: Optional[BaseException] = exc
    while current is not None and seen < 10:
        if isinstance(current, KeyboardInterrupt):
            return True
        if isinstance(current, (SystemExit, click.exceptions.Exit)):
            return False
        current = current.__cause__ or current.__context__
        seen += 1
    return False


__all__ = ["INTERRUPT_GRACE", "exit_interrupted", "on_early_interrupt", "install_handler", "is_interrupt"]
