# syntax=docker/dockerfile:1
# langportal's images: `app` (the default, gunicorn on $PORT) and `lambda` (the two
# Lambda handlers). `--build-arg WITH_LOCAL_MODEL=true` adds torch and transformers
# for the local Mistral hint provider.
ARG PYTHON_IMAGE=python:3.11.7-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ARG WITH_LOCAL_MODEL=false
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY requirements.txt requirements-transformers.txt /tmp/
RUN /opt/venv/bin/pip install -r /tmp/requirements.txt \
 && if [ "$WITH_LOCAL_MODEL" = "true" ]; then /opt/venv/bin/pip install -r /tmp/requirements-transformers.txt; fi

FROM public.ecr.aws/lambda/python:3.11 AS lambda
COPY requirements.txt /tmp/
RUN pip install --no-cache-dir -r /tmp/requirements.txt
COPY accounts ${LAMBDA_TASK_ROOT}/accounts
COPY ai_hints ${LAMBDA_TASK_ROOT}/ai_hints
COPY langportal ${LAMBDA_TASK_ROOT}/langportal
COPY lrs ${LAMBDA_TASK_ROOT}/lrs
COPY vocabulary ${LAMBDA_TASK_ROOT}/vocabulary
ENV DJANGO_SETTINGS_MODULE=langportal.settings \
    DATABASE_URL=sqlite:////tmp/db.sqlite3 \
    MEDIA_PROCESSING=lambda
CMD ["vocabulary.lambdas.process_media"]

FROM ${PYTHON_IMAGE} AS app
RUN groupadd --system --gid 10001 langportal \
 && useradd --system --uid 10001 --gid langportal --home-dir /app --no-create-home langportal
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=langportal.settings \
    DJANGO_STATIC_ROOT=/app/static \
    DATABASE_URL=sqlite:////app/var/db.sqlite3 \
    PORT=8000
WORKDIR /app
COPY --chown=langportal:langportal . /app
RUN DJANGO_SECRET_KEY=only-for-collectstatic python manage.py collectstatic --noinput --verbosity 0 \
 && mkdir -p /app/var && chown langportal:langportal /app/var
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=4)"]
CMD ["gunicorn", "-c", "gunicorn.conf.py"]
