# One image for every Concordat process; the command picks which (deploy/README.md):
#   concordat-worker                the workflows and activities (the default)
#   concordat-web                   the web service and JSON API
#   concordat setup database        migrations, as the schema's owner (a job, before the rest)
#   concordat setup temporal        the namespace and search attributes (a job)
#   concordat schedules sync        the meeting and declaration Schedules (a job, each release)
# The runtime install only: the `dev` extra (Temporal's CLI, embedded PostgreSQL, the OpenID
# mock) and the test tools stay out.

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/concordat
WORKDIR /src
COPY pyproject.toml README.md worker.py ./
COPY domain domain
COPY workflows workflows
COPY activities activities
COPY eventstore eventstore
COPY concordat concordat
COPY audit audit
COPY deploy deploy
RUN /opt/concordat/bin/pip install --no-cache-dir .

FROM python:3.11-slim-bookworm
# WeasyPrint, which prints the letters' PDF copies, loads Pango and HarfBuzz at run time.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends \
       libpango-1.0-0=1.50.12+ds-1 libpangoft2-1.0-0=1.50.12+ds-1 \
       libharfbuzz-subset0=6.0.0+dfsg-3 fonts-dejavu-core=2.37-6 \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 concordat \
    && useradd --system --uid 10001 --gid concordat --home-dir /var/lib/concordat \
       --create-home --shell /usr/sbin/nologin concordat \
    && install --directory --owner concordat --group concordat /var/lib/concordat/outbox
COPY --from=build /opt/concordat /opt/concordat
ENV PATH=/opt/concordat/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    CONCORDAT_DATA_DIR=/var/lib/concordat \
    CONCORDAT_LOG_FORMAT=json \
    CONCORDAT_WEB_HOST=0.0.0.0 \
    CONCORDAT_METRICS_HOST=0.0.0.0
WORKDIR /var/lib/concordat
USER 10001:10001
# The web service; the metrics and health port of every long-running process.
EXPOSE 8000 9464
CMD ["concordat-worker"]
