# syntax=docker/dockerfile:1
# Gatehouse image: built on Node 22 LTS (oidc-provider 9 asks for it), runs as the
# unprivileged `node` user (uid 1000) with only production dependencies and compiled code.
#
#   docker build -t gatehouse .
#   docker run --rm -p 3000:3000 --env-file gatehouse.env gatehouse
#
# Migrations: `docker run ... gatehouse node dist/src/migrate.js` (the Helm chart runs that as a Job).

ARG NODE_IMAGE=node:22-bookworm-slim

# ---- deps-base: toolchain for node-gyp, only in case a native module (bcrypt) has no prebuild
# for the target platform; it never reaches the runtime image.
FROM ${NODE_IMAGE} AS deps-base
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./

# ---- build: all dependencies, then tsc into dist/.
FROM deps-base AS build
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund
# Everything the build config may include (src/, migrations/, bench/, scripts/); .dockerignore
# keeps node_modules, dist and local data out. `npm run build` compiles and copies page templates.
COPY . .
RUN npm run build && test -f dist/src/main.js && test -f dist/src/migrate.js

# ---- prod-deps: production node_modules only (native modules built/installed for this platform).
FROM deps-base AS prod-deps
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund

# ---- runtime
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
# Code stays owned by root, so the app cannot rewrite itself; it runs as `node`.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/config ./config
COPY package.json package-lock.json ./
# DATA_DIR default (./data): writable for local trials only; production keeps no state on disk
# and Kubernetes mounts the root filesystem read-only.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
# Node itself is PID 1 and handles SIGTERM (drains in-flight requests); not `npm start`, which
# would rebuild and would not forward signals.
CMD ["node", "dist/src/main.js"]
