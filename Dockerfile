# Crosscanal in a container: `docker build -t crosscanal . && docker run -p 8000:8000 -v crosscanal:/data crosscanal`
# Set CROSSCANAL_DATABASE_URL for PostgreSQL; by default the database is SQLite under /data.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 CROSSCANAL_DATA_DIR=/data PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
# The locked runtime set, each file checked against its hash, in a layer of its own so a code
# change does not reinstall it; then the project without dependencies, built by the locked setuptools.
COPY requirements/runtime.txt ./requirements/
RUN pip install --no-cache-dir --require-hashes -r requirements/runtime.txt
COPY pyproject.toml README.md ./
COPY hub ./hub
COPY channel_adapters ./channel_adapters
COPY schemas ./schemas
RUN pip install --no-cache-dir --no-deps --no-build-isolation . && pip check \
    && useradd --create-home crosscanal && mkdir -p /data && chown crosscanal /data
USER crosscanal
VOLUME /data
EXPOSE 8000
CMD ["crosscanal", "serve", "--host", "0.0.0.0", "--port", "8000"]
