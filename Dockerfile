# One image for every service; docker-compose.yml picks the service with the command.
FROM node:20-bookworm
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ENV NODE_ENV=production DATA_DIR=/data
VOLUME /data
CMD ["npx", "tsx", "app/main.ts"]
