# Production image: gunicorn serves the site (whitenoise serves static files); the same image
# runs the Celery worker and beat with another command.
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint's libraries, harfbuzz-subset (10x faster font subsetting), fonts for Latin,
# Cyrillic and Arabic, gettext to compile the translation catalogues.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
        fonts-noto-core fonts-hosny-amiri gettext curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY . .
RUN DEBUG=true python manage.py compilemessages --ignore=.venv -v0 \
    && DEBUG=false SECRET_KEY=build-only python manage.py collectstatic --no-input -v0 \
    && useradd --system --uid 1000 app && mkdir -p /data/media && chown -R app /data /app

USER app
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
