"""Parse and derive a population in a second process while the writer fills the table.

A million-row import spends ~2 s of one core in Python (splitting the CSV, the
derived columns) and ~4 s in SQLite (binding, B-trees, page encryption), one after
the other on the same core. ``parsed_elsewhere`` moves the first part to a child
process: it reads the file, runs the same ``Deriver`` the writer would, and sends
each ready-to-bind block down a pipe. The writer stays the only connection to the
vault and only unpickles and binds. Messages are pickles on the child's stdout:
``("block", columns, runs)`` (``Deriver.columns``: a column's repeated texts are one
object, so the writer unpickles one string per distinct value), then ``("done", rows,
digest)`` — the custody row digest (population_digest) of exactly the rows it sent,
so the writer only binds — or an error.

Guarantees kept:
- order and line numbers: one child reads the file front to back, blocks arrive in
  order, and an error is sent where the in-process reader would raise it, after
  the blocks before it — the writer raises it then, and the caller's transaction
  rolls the whole import back;
- errors: a ``MockauditError`` in the child comes back as the same class with the
  same one-line message, an ``OSError`` with its errno, strerror and file name (so
  the session translates it as before); the child prints nothing;
- memory: the child runs at most ``AHEAD`` blocks ahead of the writer (a bounded
  queue in front of the pipe), a few MB;
- nothing touches disk: blocks travel through an anonymous pipe only;
- cleanup: whatever ends the fill early (an error, an interrupt, disk full), the
  pipe is closed and the child reaped (killed if it does not exit); if the writer
  dies, the child's next write fails and it exits.
"""

from __future__ import annotations

import gc
import json
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any

from mockaudit import errors
from mockaudit.errors import MockauditError
from mockaudit.vault.population_inserts import ColumnBlock
from mockaudit.vault.population_store import Prepared, PreparedRows, RowBatch, derive_columns
from mockaudit.vault.row_digest import FinishedDigest, RowDigest

BatchSource = Callable[[], Iterable[RowBatch]]
"""Picklable: called in the child to read the raw blocks (e.g. ``partial(row_batches, table)``)."""

STOP_SECONDS = 5.0
AHEAD = 16
"""Blocks the parser may have ready beyond the one in the pipe (~5 MB at most)."""
PIPE_BYTES = 1 << 20
"""Pipe capacity asked for on Linux (the default 64 KiB holds a fraction of a block)."""
# A fresh interpreter (not fork: the writer holds an open SQLCipher connection and, in
# the TUI, worker threads) started directly, not through multiprocessing's spawn, which
# re-runs the caller's main script in the child.
# The child gets the writer's import path, so it loads the same mockaudit.
_BOOT = (
    "import json, sys; sys.path[:] = json.loads(sys.argv[1]); "
    "from mockaudit.vault.population_feed import child_main; child_main()"
)


class FeedStopped(MockauditError):
    """The parsing process ended without finishing (killed, out of memory)."""


def available() -> bool:
    """Whether a second interpreter can be started (an embedded Python may have none)."""
    return bool(sys.executable)


@contextmanager
def parsed_elsewhere(source: BatchSource, key_i: int, day_i: int) -> Iterator[PreparedRows]:
    """``PreparedRows`` of ``source`` parsed and derived in a child process."""
    child = subprocess.Popen(
        [sys.executable, "-c", _BOOT, json.dumps(sys.path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # the child reports through the pipe, never a traceback
        close_fds=True,
    )
    assert child.stdin is not None and child.stdout is not None
    _widen(child.stdout)
    try:
        try:
            pickle.dump((source, key_i, day_i), child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            child.stdin.close()
        except BrokenPipeError:
            pass  # the child is gone already: reading says how
        prepared = PreparedRows(())
        prepared.blocks = _received(child.stdout, child, prepared)
        yield prepared
    finally:
        child.stdout.close()  # a child blocked in a write gets EPIPE and exits
        try:
            child.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _widen(pipe: IO[bytes]) -> None:
    """A larger pipe buffer where the OS allows it (fewer wake-ups per block)."""
    try:
        import fcntl  # POSIX only

        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass  # not Linux, or above the system's pipe-max-size: the default works


def _received(
    pipe: IO[bytes], child: subprocess.Popen[bytes], prepared: PreparedRows
) -> Iterator[Prepared]:
    while True:
        try:
            message = pickle.load(pipe)  # noqa: S301 - our own child, over a private pipe
        except (EOFError, pickle.UnpicklingError):
            code = child.wait(STOP_SECONDS)
            raise FeedStopped(
                f"the CSV parsing process stopped unexpectedly (exit code {code})"
            ) from None
        kind = message[0]
        if kind == "block":
            columns, runs = message[1], message[2]
            yield ColumnBlock(columns), len(columns[0]) if columns else 0, runs
        elif kind == "done":
            prepared.digest = FinishedDigest(message[1], message[2])
            return
        else:
            raise _rebuilt(message)


def _rebuilt(message: tuple[Any, ...]) -> BaseException:
    """The child's error as the writer raises it."""
    kind, *rest = message
    if kind == "oserror":
        number, text, filename = rest
        return OSError(number, text, filename) if filename is not None else OSError(number, text)
    name, text = rest
    cls = getattr(errors, name, None)
    if kind == "error" and isinstance(cls, type) and issubclass(cls, MockauditError):
        return cls(text)
    return FeedStopped(f"the CSV parsing process failed ({name})")


def child_main() -> None:
    """Child process: read the job from stdin, send each block, then "done" or the error."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the writer decides what an interrupt stops
    gc.disable()  # fresh lists of strings only, freed by reference counting
    # Messages go to a private copy of stdout; stray prints go nowhere.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    try:
        job = sys.stdin.buffer
        source, key_i, day_i = pickle.load(job)  # noqa: S301 - written by the writer process
        _send_all(out, source, key_i, day_i)
    except (BrokenPipeError, EOFError):
        pass  # the writer stopped reading: nothing to tell it
    finally:
        try:
            out.flush()
        except OSError:
            pass


def _send_all(out: IO[bytes], source: BatchSource, key_i: int, day_i: int) -> None:
    sender = _Sender(out)
    digest = RowDigest()
    try:
        try:
            for columns, runs in derive_columns(source(), key_i, day_i):
                digest.add_columns(columns)  # exactly the values the writer binds
                sender.send(("block", columns, runs))
            sender.send(("done", digest.count, digest.hexdigest()))
        except MockauditError as exc:
            sender.send(("error", type(exc).__name__, exc.message))
        except BrokenPipeError:
            raise
        except OSError as exc:
            filename = None if exc.filename is None else str(exc.filename)
            sender.send(("oserror", exc.errno, exc.strerror, filename))
        except Exception as exc:  # noqa: BLE001 - reported as a typed failure, no traceback
            sender.send(("crash", type(exc).__name__, ""))
    finally:
        sender.close()


class _Sender:
    """Writes pickled messages on its own thread from a queue of ``AHEAD`` at most.

    The parser thus runs up to ``AHEAD`` blocks in front of the writer instead of
    waiting for it at every block: on a busy machine each hand-over would otherwise
    cost both processes a trip through the scheduler.
    """

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.queue: queue.Queue[bytes | None] = queue.Queue(maxsize=AHEAD)
        self.broken = False
        self.thread = threading.Thread(target=self._run, name="feed-sender", daemon=True)
        self.thread.start()

    def send(self, message: tuple[Any, ...]) -> None:
        if self.broken:
            raise BrokenPipeError("the writer stopped reading")
        self.queue.put(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()

    def _run(self) -> None:
        while (data := self.queue.get()) is not None:
            if self.broken:
                continue  # drain, so the parser never blocks on a full queue
            try:
                self.out.write(data)
                self.out.flush()
            except OSError:
                self.broken = True
