# One image for every service; docker-compose.yml picks the service with the command.
FROM node:20-bookworm
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# As the npm start scripts: glibc's default of a malloc arena per thread cost the all-in-one about 45 MiB of RSS.
ENV NODE_ENV=production DATA_DIR=/data MALLOC_ARENA_MAX=2
VOLUME /data
# node itself is the container's process, so `docker stop`'s SIGTERM reaches the server and it stops
# gracefully (npx or the tsx launcher in between would not pass it on).
CMD ["node", "--import", "tsx", "app/main.ts"]
