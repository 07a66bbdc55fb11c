"""Files diarium writes for people (documents, PDFs, exports) are readable as any new file is.

Such files are written to a temporary name beside the target and renamed into place, so a reader
never sees half a file; `tempfile.mkstemp` makes that temporary file 0600, which would make the
finished document private to its writer: a colleague on the shared folder could not open the
archival PDF/A. The archive's own files keep the modes they are written with.
"""

from __future__ import annotations

import os
from pathlib import Path


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def readable_as_new(path: Path | str) -> None:
    """Give `path` the permissions a file created with open() would get under the umask."""
    os.chmod(path, 0o666 & ~umask())
