"""Which directory entries were made but never fsynced: the half of power loss LazyFS
cannot show.

LazyFS keeps file *data* in its cache until fsync, but creates, renames and links go
straight to the backing folder and survive its power cut. A real file system does not
promise that: a new name, a rename or a new folder is durable only once its parent
folder is fsynced (ext4 usually gets it right by accident of its journal; XFS, btrfs and
others need the fsync). ``DirAudit`` is the crash harness's file layer, keeping a model
of every entry made since its folder's last fsync. A name that only a temp file ever
had (``.NAME.<hex>.partial``, ``<blob>.partial``) may be lost harmlessly; any other
pending entry at the moment an operation is acknowledged is a bug: a power cut then
could lose the acknowledged file (or folder) although every byte of it was fsynced.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mockaudit import fsio


def is_temp(path: Path) -> bool:
    return any(part.startswith(".") or part.endswith(".partial") for part in path.parts)


class DirAudit(fsio.FileOps):
    """A file layer that remembers the entries each folder still has to fsync. Mix it in
    before another FileOps (the crash harness's KillingOps) to audit that one."""

    pending: set[Path]

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.pending = set()

    def _made(self, path: Path) -> None:
        self.pending.add(Path(path).absolute())

    def open_new(self, path: Path, *, nofollow: bool = True) -> Any:
        fh = super().open_new(path, nofollow=nofollow)
        self._made(path)
        return fh

    def replace(self, src: Path, dst: Path) -> None:
        super().replace(src, dst)
        src, dst = Path(src).absolute(), Path(dst).absolute()
        # Entries inside a renamed folder now live under its new name.
        moved = {p for p in self.pending if p.is_relative_to(src) and p != src}
        self.pending -= moved | {src}
        self.pending |= {dst / p.relative_to(src) for p in moved}
        self._made(dst)

    def link(self, src: Path, dst: Path) -> None:
        super().link(src, dst)
        self._made(dst)

    def mkdir(self, path: Path) -> None:
        path = Path(path).absolute()
        for made in (p for p in (path, *path.parents) if not p.exists()):
            self._made(made)
        super().mkdir(path)  # its own fsync_dir calls clear what it made durable

    def fsync_dir(self, path: Path) -> None:
        super().fsync_dir(path)
        folder = Path(path).absolute()
        self.pending = {p for p in self.pending if p.parent != folder}

    def unsynced(self) -> list[str]:
        """Pending entries that are not temp names, i.e. what an acknowledgement rests on."""
        return sorted(str(p) for p in self.pending if not is_temp(p) and p.exists())
