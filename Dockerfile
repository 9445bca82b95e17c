# Secure Base: the Telegram bot, with its SQLite database on a volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BOT_DB_PATH=/data/secure-base.db

# CJK and emoji fonts for the therapist report's PDF (DejaVu Sans, from matplotlib, lacks them).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-droid-fallback fonts-symbola \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin securebase \
    && mkdir /data \
    && chown securebase:securebase /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY schema ./schema
RUN pip install --no-cache-dir .

USER 10001
VOLUME ["/data"]

# The token comes from the environment at run time: docker run -e TELEGRAM_BOT_TOKEN=...
ENTRYPOINT ["python", "-m", "bot"]
