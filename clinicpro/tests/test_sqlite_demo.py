"""The embedded SQLite database of the demo takes simultaneous bookings without "database is locked"."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_simultaneous_bookings_on_sqlite_each_get_an_answer(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinicpro.settings",
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
    }
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    result = subprocess.run(
        [sys.executable, "-m", "clinicpro.testing.sqlite_race"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stderr
    assert lines[0] == "journal_mode wal"
    outcomes = lines[1:]
    assert len(outcomes) == 8
    assert [line for line in outcomes if line.startswith("error")] == []
    # Four practitioners, one slot each: four bookings, four told the time was taken.
    assert outcomes.count("booked") == 4 and outcomes.count("taken") == 4
