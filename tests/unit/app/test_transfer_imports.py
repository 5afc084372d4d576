"""`wise export` and `wise import` read and write the journal with sqlite3: on a journal
whose schema is current, neither loads SQLAlchemy or Alembic (a migration, when one is due,
still does: that is what they are for)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from storage.migrate import ensure_schema

ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import json, sys
from app.cli.main import main

out, md = sys.argv[1], sys.argv[2]
codes = [main(["export", "--format", "json", "-o", out]),
         main(["export", "--format", "markdown", "-o", md]),
         main(["import", out])]
print(json.dumps({"codes": codes, "loaded": sorted(
    name for name in ("sqlalchemy", "alembic") if name in sys.modules)}))
"""


def test_export_and_import_of_a_current_journal_load_no_sqlalchemy(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    ensure_schema(home / "wise.db", home / "backups", keep_backups=1)  # here, not in the child
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "out.json"), str(tmp_path / "out.md")],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "WISE_HOME": str(home)},
        timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == {"codes": [0, 0, 0], "loaded": []}
    assert json.loads((tmp_path / "out.json").read_text("utf-8"))["format"] == "wise-journal"
