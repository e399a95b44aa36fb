# Floorbridge app image: one uvicorn worker per container; scale with replicas behind the
# proxy (docker-compose.yml). State lives in PostgreSQL, live events cross via Redis.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    FLOORBRIDGE_DATA_DIR=/data
WORKDIR /srv/floorbridge
# Pango for WeasyPrint (the PDF report), and a font for it to draw with.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 \
    libpangoft2-1.0-0 fonts-dejavu-core && rm -rf /var/lib/apt/lists/*

COPY pyproject.toml README.md ./
COPY app ./app
COPY integrations ./integrations
COPY moderator_ui ./moderator_ui
RUN pip install . && useradd --system --home /data floorbridge && mkdir -p /data \
    && chown floorbridge /data

USER floorbridge
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2)" || exit 1
# Migrations run at start-up (Alembic, idempotent); replicas start after the first is healthy.
CMD ["floorbridge", "serve", "--host", "0.0.0.0", "--port", "8000"]
