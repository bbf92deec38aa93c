"""The evidence package's layout: which file goes where in the ZIP, and its ZIP entries.

Pure functions of a run and the vault's evidence list (domain objects); the writer that
decrypts the files and records custody is ``mockaudit.services.package``. Names inside
the ZIP come from ``safenames.safe_component`` (never an original name as a path).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from datetime import datetime

from mockaudit.domain.evidence import EvidenceInfo
from mockaudit.domain.run import RequestKind, Run
from mockaudit.errors import InputError
from mockaudit.export.package_format import EVIDENCE_DIR
from mockaudit.safenames import safe_component


@dataclass(frozen=True)
class PackageEntry:
    """One file of the package: where it goes and which evidence it is."""

    path: str  # inside the ZIP, '/'-separated, sanitised
    evidence_id: str
    control: str | None
    request: str | None


# -- plan ------------------------------------------------------------------------------------


def plan_package(
    run: Run, infos: dict[str, EvidenceInfo]
) -> tuple[list[PackageEntry], tuple[str, ...]]:
    """Every file to package, in a stable order, and the ids the vault cannot provide."""
    planner = _Planner(infos)
    for request in run.requests:
        ids = list(request.found)
        if request.kind is RequestKind.POPULATION and request.population:
            ids += [
                ev_id
                for ev_id, info in infos.items()
                if any(
                    link.population_id == request.population and not link.item_key
                    for link in info.links
                )
            ]
        folder: tuple[str, ...]
        if request.control:
            folder = ("controls", request.control, request.code)
        else:
            folder = ("requests", request.code)
        for ev_id in ids:
            planner.add(folder, ev_id, request.control, request.code)
    for ev_id, info in sorted(infos.items()):
        for control in dict.fromkeys(link.control_id for link in info.links if link.control_id):
            if (control, ev_id) not in planner.under_control:
                planner.add(("controls", control, "linked"), ev_id, control, None)
    return planner.entries, tuple(dict.fromkeys(planner.unavailable))


class _Planner:
    """Assigns unique sanitised paths; one file per (folder, evidence)."""

    def __init__(self, infos: dict[str, EvidenceInfo]) -> None:
        self.infos = infos
        self.entries: list[PackageEntry] = []
        self.paths: set[str] = set()
        self.seen: set[tuple[tuple[str, ...], str]] = set()
        self.under_control: set[tuple[str, str]] = set()
        self.unavailable: list[str] = []

    def add(
        self, folder: tuple[str, ...], ev_id: str, control: str | None, request: str | None
    ) -> None:
        info = self.infos.get(ev_id)
        if info is None:
            self.unavailable.append(ev_id)
            return
        if (folder, ev_id) in self.seen:
            return
        self.seen.add((folder, ev_id))
        if control:
            self.under_control.add((control, ev_id))
        parts = [EVIDENCE_DIR, folder[0], *(safe_component(p, fallback="item") for p in folder[1:])]
        name = safe_component(f"{ev_id}_{safe_component(info.original_name, 'evidence')}")
        path = _unique("/".join([*parts, name]), self.paths)
        self.paths.add(path)
        self.entries.append(PackageEntry(path, ev_id, control, request))


def _unique(path: str, taken: set[str]) -> str:
    if path not in taken:
        return path
    folder, _, name = path.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    for n in range(2, 100_000):
        candidate = f"{folder}/{stem}-{n}.{ext}" if dot else f"{folder}/{name}-{n}"
        if candidate not in taken:
            return candidate
    raise InputError(f"too many files named {name!r} in the package")  # pragma: no cover


def zip_info(name: str, stamp: datetime) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=stamp.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16  # a plain, readable file when extracted
    return info
