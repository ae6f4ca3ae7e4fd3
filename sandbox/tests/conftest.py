import pytest
import requests

from sandbox import faults


@pytest.fixture
def sandbox(live_server, transactional_db) -> str:
    """The emulators' base URL on a live server (a real HTTP hop, rows committed)."""
    yield live_server.url + "/sandbox"
    faults.clear()


@pytest.fixture
def http():
    session = requests.Session()
    yield session
    session.close()
