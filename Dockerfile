# One image for every service; docker-compose.yml picks the service with the command.

# Production dependencies only, built where a compiler is at hand (better-sqlite3 is native).
FROM node:20-bookworm AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# The TypeScript compiled to JavaScript (npm run build: dist/main.js, dist/saga-shop.js,
# dist/broker-setup.js, dist/db-setup.js and the files they read), with every dependency at hand.
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /app
# MALLOC_ARENA_MAX as the npm start scripts: glibc's default of a malloc arena per thread cost
# the all-in-one about 45 MiB of RSS. HEALTH_PORT: the probe below asks a thread that answers
# however busy the shop's own port is.
ENV NODE_ENV=production DATA_DIR=/data MALLOC_ARENA_MAX=2 HEALTH_PORT=3100
COPY --from=dependencies /app/node_modules ./node_modules
# package.json says the bundles are ES modules.
COPY package.json ./
COPY --from=build /app/dist ./dist
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3100/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is the container's process, so `docker stop`'s SIGTERM reaches the server and it
# stops gracefully (npm or npx in between would not pass it on).
CMD ["node", "dist/main.js"]
