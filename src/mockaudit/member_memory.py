"""Which member this user unlocks each vault as, remembered in their config folder.

``mockaudit --member dana …`` once; later commands (and the TUI's unlock screen) on the
same vault default to dana. Kept per vault id in ``members.json`` under the user's config
folder (``$MOCKAUDIT_HOME/config`` when set, as the tests do). It names a member, never a
passphrase. Best effort: a config folder that cannot be written only means the next
command asks again.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from mockaudit import fsio

FILE = "members.json"
MAX_BYTES = 256 * 1024


def config_dir() -> Path:
    home = os.environ.get("MOCKAUDIT_HOME")
    if home:
        return Path(home) / "config"
    from platformdirs import user_config_dir

    return Path(user_config_dir("mockaudit"))


def _load() -> dict[str, str]:
    try:
        with (config_dir() / FILE).open("rb") as fh:
            doc = json.loads(fh.read(MAX_BYTES).decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return {}
    if not isinstance(doc, dict):
        return {}
    return {k: v for k, v in doc.items() if isinstance(k, str) and isinstance(v, str)}


def recall(vault_id: str) -> str | None:
    return _load().get(vault_id)


def remember(vault_id: str, member_id: str) -> None:
    known = _load()
    if known.get(vault_id) == member_id:
        return
    known[vault_id] = member_id
    data = (json.dumps(known, indent=1, sort_keys=True) + "\n").encode("utf-8")
    folder = config_dir()
    with contextlib.suppress(OSError):
        fsio.ops().mkdir(folder)
        fsio.atomic_write_bytes(folder / FILE, data)


def unlock_hint(folder: Path) -> tuple[list[str], str | None]:
    """The member names in ``folder``'s vault.key and the one to suggest, for an unlock
    screen to show before anything is unlocked (the screen cannot wait for the crypto to
    import). A hint only: the header is read without its checksum, and the session checks
    everything when it unlocks. ([], None) when there is nothing readable."""
    try:
        with (folder / "vault.key").open("rb") as fh:
            doc = json.loads(fh.read(MAX_BYTES).decode("utf-8"))
        slots = doc.get("slots", []) if isinstance(doc, dict) else []
        names = [
            s["member_id"]
            for s in slots
            if isinstance(s, dict)
            and s.get("kind") == "passphrase"
            and isinstance(s.get("member_id"), str)
        ]
        vault_id = doc.get("vault_id")
    except (OSError, ValueError, UnicodeDecodeError, AttributeError, TypeError):
        return [], None
    env = os.environ.get("MOCKAUDIT_MEMBER", "").strip()
    remembered = recall(vault_id) if isinstance(vault_id, str) else None
    return names, env or remembered or (names[0] if len(names) == 1 else None)
