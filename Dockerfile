# syntax=docker/dockerfile:1
# Gatehouse image: built on Node 24 LTS (oidc-provider 9 asks for 22 or a later LTS), runs as the
# unprivileged `node` user (uid/gid 1000, named by number so Kubernetes' runAsNonRoot can verify
# it) with only production dependencies and compiled code: no tests, benchmarks or type packages.
#
#   docker build -t gatehouse .
#   docker run --rm -p 3000:3000 --env-file gatehouse.env gatehouse
#
# Migrations: `docker run ... gatehouse node dist/src/migrate.js` (the Helm chart runs that as a Job).

# Node 24, not 22: its AsyncLocalStorage (the provider's request context, and Gatehouse's) rides on
# the promise itself instead of a hook run for every promise. Measured with `npm run bench` on
# one 2-core machine, the same code: server CPU per client-credentials grant 1,507 (Node 20),
# 1,600 (22), 911 to 1,264 (24, three runs) microseconds (bench/README.md, "Which Node.js").
ARG NODE_IMAGE=node:24-bookworm-slim

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
# What the build needs (src/, migrations/, scripts/); .dockerignore keeps node_modules, dist,
# local data, tests and benchmarks out. `npm run build` compiles and copies page templates.
COPY . .
RUN npm run build && test -f dist/src/main.js && test -f dist/src/migrate.js && test -f dist/src/threadpool.js \
 && test ! -e dist/bench

# ---- prod-deps: production node_modules only (native modules built/installed for this platform);
# type packages (@types/*) are devDependencies and stay out.
FROM deps-base AS prod-deps
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund

# ---- runtime
FROM ${NODE_IMAGE} AS runtime
# The source revision, shown by the gatehouse_build_info metric: --build-arg GATEHOUSE_REVISION=$(git rev-parse --short HEAD)
ARG GATEHOUSE_REVISION=unknown
LABEL org.opencontainers.image.title="Gatehouse" \
      org.opencontainers.image.revision="${GATEHOUSE_REVISION}"
# UV_THREADPOOL_SIZE: libuv's pool runs bcrypt and also DNS lookups and file reads; Gatehouse
# hashes on at most half of it (up to all cores but 4 threads), so 16 leaves DNS a free thread
# on hosts of up to 12 cores. libuv reads it once, at start: it must be in the environment (or
# set by the dist/src/threadpool.js preload below), not set later.
ENV NODE_ENV=production \
    PORT=3000 \
    METRICS_PORT=9464 \
    UV_THREADPOOL_SIZE=16 \
    GATEHOUSE_REVISION=${GATEHOUSE_REVISION}
WORKDIR /app
# Code stays owned by root, so the app cannot rewrite itself; it runs as uid 1000.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/migrations ./dist/migrations
COPY --from=build /app/config ./config
COPY package.json package-lock.json ./
# DATA_DIR default (./data): writable for local trials only; production keeps no state on disk
# and Kubernetes mounts the root filesystem read-only.
RUN mkdir -p /app/data && chown 1000:1000 /app/data
USER 1000:1000
EXPOSE 3000 9464
# Docker's own check (Kubernetes uses the chart's probes instead): the process answers /healthz.
# The slim image has no curl; Node's fetch does the request.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node itself is PID 1 and handles SIGTERM (drains in-flight requests); not `npm start`, which
# would rebuild and would not forward signals. The preload sizes the thread pool before it starts.
# --max-semi-space-size=32: a young generation of up to 32 MB per half, so the short-lived objects
# of a token request die before a scavenge has to copy them (about 10 % less CPU per grant,
# measured; a few tens of MB more memory under load). The same as `npm start`.
CMD ["node", "--max-semi-space-size=32", "--import", "./dist/src/threadpool.js", "dist/src/main.js"]
