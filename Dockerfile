# Flow Controller image: the API (default command) and the worker (`node --max-semi-space-size=4 --optimize-for-size
# build/worker.js`) of docker-compose.yml and
# the Helm chart deploy/helm/flow-controller, plus the migrations (`node build/dev/migrate-cli.js`).
# Debian-based on purpose: the Temporal native bridge ships glibc binaries only (no musl/Alpine).

# Builder: every dependency, then the compiled server (`npm run build` → build/: tsc output, the migrations' SQL, the
# pre-bundled web UI and the pre-built workflow bundle whose hash the compiled worker checks at start).
FROM node:24-bookworm-slim AS builder
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
# tsx runs the build script here, in the builder only (scripts/with-node.sh would provision dev tools: not needed).
RUN node_modules/.bin/tsx scripts/build.ts

# Runtime: production dependencies and build/ only; plain `node`, no tsx, no TypeScript sources.
FROM node:24-bookworm-slim AS runtime
# git for the GitOps repositories, CA certificates for HTTPS to Git hosts, Argo CD and Kubernetes. Nothing else.
RUN apt-get update \
  && apt-get install -y --no-install-recommends git ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
# glibc malloc settings of the worker's memory budget (lib/worker-flags.ts, docs/benchmarks.md "Worker memory"): two
# arenas instead of one per thread (Temporal's Rust core, V8's helper threads), big blocks returned when freed. Every
# process of the image gets them (the API and the migrations too, which were not measured with them).
ENV MALLOC_ARENA_MAX=2
ENV MALLOC_MMAP_THRESHOLD_=131072
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=builder /app/build ./build
# The image's `node` user by number, so Kubernetes can verify runAsNonRoot.
USER 1000:1000
# 3000: the API; 9464: the worker's metrics and probes (WORKER_HTTP_PORT).
EXPOSE 3000 9464
CMD ["node", "build/api/server.js"]
