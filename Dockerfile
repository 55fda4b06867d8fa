# Crosscanal in a container: `docker build -t crosscanal . && docker run -p 8000:8000 -v crosscanal:/data crosscanal`
# Set CROSSCANAL_DATABASE_URL for PostgreSQL; by default the database is SQLite under /data.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 CROSSCANAL_DATA_DIR=/data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY hub ./hub
COPY channel_adapters ./channel_adapters
COPY schemas ./schemas
RUN pip install --no-cache-dir . && useradd --create-home crosscanal && mkdir -p /data && chown crosscanal /data
USER crosscanal
VOLUME /data
EXPOSE 8000
CMD ["crosscanal", "serve", "--host", "0.0.0.0", "--port", "8000"]
