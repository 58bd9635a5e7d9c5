# One image for every service; docker-compose.yml picks the service with the command.
# Node 24: the LTS line maintained until April 2028 (better-sqlite3 12 supports it). Every stage
# is on the same line, so the native module built below is built for the node that runs it.

# Production dependencies only, built where a compiler is at hand (better-sqlite3 is native).
FROM node:24-bookworm AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# The TypeScript compiled to JavaScript (npm run build: dist/main.js, dist/saga-shop.js,
# dist/broker-setup.js, dist/db-setup.js and the files they read), with every dependency at hand.
FROM node:24-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:24-bookworm-slim
WORKDIR /app
# MALLOC_ARENA_MAX as the npm start scripts: glibc's default of a malloc arena per thread cost
# the all-in-one about 45 MiB of RSS. HEALTH_PORT: the probes ask a thread that answers however
# busy the shop's own port is. METRICS_PORT: /metrics on a listener of its own, which a scraper
# reaches on the containers' network, and then not on PORT, which serves the clients.
ENV NODE_ENV=production DATA_DIR=/data MALLOC_ARENA_MAX=2 HEALTH_PORT=3100 METRICS_PORT=9464
COPY --from=dependencies /app/node_modules ./node_modules
# package.json says the bundles are ES modules.
COPY package.json ./
COPY --from=build /app/dist ./dist
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
# Liveness (/livez): the process answers, and on HEALTH_PORT's thread its main event loop turns.
# A runtime that acts on this check restarts the container (Swarm replaces an unhealthy task),
# and a restart cures a stuck process but not a broker or database outage, which /readyz and
# /health report: restarting every replica then would only add to the outage.
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3100/livez').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is the container's process, so `docker stop`'s SIGTERM reaches the server and it
# stops gracefully (npm or npx in between would not pass it on).
CMD ["node", "dist/main.js"]
