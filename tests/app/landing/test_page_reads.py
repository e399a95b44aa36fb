"""The audience page is served from memory: no file system call on the event loop.

Read on every load, its stat and read let the writer thread take the GIL at each system
call; under an id-minting script (57 loads a second) the event loop stalled 10-40 ms at a
time and every honest phone's vote waited behind it (bench.hostile, a sampling probe).
"""

from __future__ import annotations

import pathlib

import httpx

from app.config import Settings
from app.main import create_app


async def test_audience_page_loads_touch_no_file(tmp_path, monkeypatch):
    settings = Settings(data_dir=tmp_path, admin_token="admin-token", secret_key="cookie-key")
    app = create_app(settings)
    transport = httpx.ASGITransport(app, client=("127.0.0.1", 50123))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=transport, base_url="http://127.0.0.1:8000"
    ) as c:
        made = await c.post("/api/sessions", json={"title": "Pages from memory"},
                            headers={"Authorization": "Bearer admin-token"})
        slug = made.json()["slug"]
        first = await c.get(f"/s/{slug}")  # may read the file, once
        assert first.status_code == 200

        touched: list[str] = []
        for name in ("read_text", "read_bytes", "open", "stat", "exists", "is_file"):
            real = getattr(pathlib.Path, name)

            def spy(self, *a, _real=real, _name=name, **kw):
                if "static" in self.parts:
                    touched.append(f"{_name} {self.name}")
                return _real(self, *a, **kw)

            monkeypatch.setattr(pathlib.Path, name, spy)
        for lang in ("en", "fr", "ar"):
            c.cookies.clear()
            page = await c.get(f"/s/{slug}?lang={lang}")  # a new phone each time
            assert page.status_code == 200 and "fb_aud=" in page.headers["set-cookie"]
            assert f'lang="{lang}"' in page.text
        assert touched == []
