"""Every setting read from the environment is documented in README.md and .env.example."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETTING = re.compile(r'(?:env\.\w+|_\w*secret\w*)\(\s*"([A-Z][A-Z0-9_]*)"')


def settings_read_from_environment() -> set[str]:
    return set(SETTING.findall((ROOT / "clinicpro" / "settings.py").read_text()))


def test_the_settings_scan_finds_the_settings():
    assert {"SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "DATABASE_URL", "REDIS_URL", "USE_X_FORWARDED_PROTO"} <= (
        settings_read_from_environment()
    )


@pytest.mark.parametrize("document", ["README.md", ".env.example"])
def test_every_setting_is_documented(document):
    text = (ROOT / document).read_text()
    listed = {name for name in settings_read_from_environment() if re.search(rf"\b{name}\b", text)}
    assert settings_read_from_environment() - listed == set(), f"{document} does not list these settings"


def test_the_readme_starts_with_the_two_commands():
    head = (ROOT / "README.md").read_text()[:2000]
    assert "make run" in head and "make test" in head
