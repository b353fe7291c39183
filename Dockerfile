# Flow Controller image for the `api` and `worker` services of docker-compose.yml.
# Debian-based on purpose: the Temporal native bridge ships glibc binaries only (no musl/Alpine).
FROM node:24-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY . .
# The workflow bundle, built once here (dist/workflow-bundle-<hash>.js) instead of by webpack in every worker at start.
RUN node_modules/.bin/tsx scripts/bundle-workflows.ts
ENV NODE_ENV=production
USER node
EXPOSE 3000
CMD ["node_modules/.bin/tsx", "api/server.ts"]
