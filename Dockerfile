# syntax=docker/dockerfile:1
# Ringside's server image, built from the lock: every package is the one requirements/runtime.txt
# names, its hash checked (docs/deploy.md). `docker build -t ringside .`, or `docker compose build`.

# --- build: a venv with the locked runtime, then the project itself --------------------------
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/ringside
WORKDIR /src
# The lock alone first, so that a change to the code does not reinstall the dependencies.
COPY requirements/runtime.txt requirements/runtime.txt
RUN /opt/ringside/bin/pip install --require-hashes --no-deps -r requirements/runtime.txt
COPY pyproject.toml README.md ./
COPY src src
# The build backend (setuptools) is in the lock too: no unpinned package is fetched to build.
RUN /opt/ringside/bin/pip install --no-deps --no-build-isolation . \
    && /opt/ringside/bin/pip check

# --- the image: python, the venv, a user of its own ------------------------------------------
FROM python:3.11-slim
ENV PATH=/opt/ringside/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    RINGSIDE_DATA_DIR=/data
RUN groupadd --system --gid 10001 ringside \
    && useradd --system --uid 10001 --gid ringside --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin ringside \
    && mkdir /data \
    && chown ringside:ringside /data
COPY --from=build /opt/ringside /opt/ringside
# The node id (data/node-id), the result journal and, without --database-url, SQLite live here.
VOLUME /data
WORKDIR /data
USER ringside:ringside
# HTTP, WebSocket bots (/ws/bot) and spectators (/ws/watch); TCP bots (JSON lines).
EXPOSE 8000 8001
# Liveness only (the event loop answers); a load balancer asks /readyz instead. No curl in slim.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('RINGSIDE_PORT', '8000'), timeout=2)"]
# SIGTERM (docker stop) takes no new match and hands the running ones over (--drain to finish them).
STOPSIGNAL SIGTERM
ENTRYPOINT ["ringside"]
CMD ["serve", "--host", "0.0.0.0", "--data-dir", "/data"]
