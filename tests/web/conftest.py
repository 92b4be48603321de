"""The app in-process over a temporary store, for the API tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from thermidor.web import create_app


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(tmp_path / "store", workers=1, queue_size=2, max_body=4096)
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        yield c
