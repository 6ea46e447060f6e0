"""Files the program writes that hold personal data: readable by their owner only."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_MODE = 0o600


def write_private(path: Path, data: bytes = b"") -> None:
    """Write `data` to `path` (created or emptied), with mode 0600 even if it existed."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_MODE)
    try:
        os.fchmod(descriptor, PRIVATE_MODE)
        with os.fdopen(descriptor, "wb", closefd=False) as file:
            file.write(data)
    finally:
        os.close(descriptor)
