# cmbot: the Slack bot, or a queue worker (`cmbot worker`). Slim, non-root, with a health check.
FROM python:3.11-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc make && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot bot
COPY handlers handlers
COPY knowledge knowledge
COPY probes probes
COPY lab lab
RUN python -m venv /opt/cmbot && /opt/cmbot/bin/pip install --no-cache-dir .

FROM python:3.11-slim
COPY --from=build /opt/cmbot /opt/cmbot
RUN useradd --system --uid 10001 --home-dir /home/cmbot --create-home cmbot
USER cmbot
WORKDIR /home/cmbot
ENV PATH=/opt/cmbot/bin:$PATH PYTHONUNBUFFERED=1 CMBOT_PORT=3000
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4).status == 200 else 1)"
CMD ["cmbot", "serve"]
