"""``python -m cachelint`` and the ``cachelint`` command run :func:`main`.

The command line (click, the settings) is imported when :func:`main` runs, not when this
module is imported, and after the head start has forked the fork server from this
process (:mod:`cachelint.worker_server`): a server forked then holds none of it.
"""


def main() -> None:
    """Run the command line (:func:`cachelint.cli.main`); exits with its exit code.

    A run that will need worker processes starts their fork server first
    (:func:`cachelint.worker_server.head_start`), so its imports overlap the command line's.
    """
    import gc
    import signal
    import sys

    from .interrupt import on_early_interrupt

    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, on_early_interrupt)  # Ctrl-C during the imports: exit 130, no traceback
    from .worker_server import head_start

    head_start(sys.argv[1:])
    from .cli import main as command, output_failed

    try:
        command()
    except OSError as exc:  # click lets every write error but a broken pipe through (--version > /dev/full)
        output_failed(exc)
    finally:
        # the process ends here, its pool and files closed: the interpreter's last full
        # collection would only walk every object of the run (10-50 ms after a large tree)
        gc.freeze()


if __name__ == "__main__":
    main()
