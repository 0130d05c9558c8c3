# The Editorial image for docker-compose.yml: web (gunicorn), Celery worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY . /app
RUN pip install . \
    && SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && useradd --system --home-dir /app editorial \
    && mkdir -p /app/var \
    && chown -R editorial /app/var

USER editorial
EXPOSE 8000
CMD ["gunicorn", "editorial.wsgi", "--bind", "0.0.0.0:8000"]
