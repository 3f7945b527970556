"""pytest plugin (pyproject's addopts: `-p recupera.core.testing_var`): the tests keep their files
(uploaded files, secret key, screenshots) in a temporary folder, never in the demo's `var/`.

Loaded before Django reads its settings, so settings.VAR_DIR is that folder. An explicit
RECUPERA_VAR_DIR is respected. xdist workers inherit the folder through the environment; the
process that created it removes it at the end."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

if not os.environ.get("RECUPERA_VAR_DIR"):
    _folder = tempfile.mkdtemp(prefix="recupera-pruebas-")
    os.environ["RECUPERA_VAR_DIR"] = _folder
    atexit.register(shutil.rmtree, _folder, ignore_errors=True)
