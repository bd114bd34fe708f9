# syntax=docker/dockerfile:1
# opsbeat: Node 22 LTS, flyctl inside, runs as the unprivileged `node` user.

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:22-bookworm-slim AS flyctl
# Pin flyctl: the daemon parses its JSON, so upgrades are deliberate (re-check the Fly reference then).
ARG FLYCTL_VERSION=0.4.87
ARG TARGETARCH
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
 && case "${TARGETARCH:-amd64}" in amd64) arch=x86_64 ;; arm64) arch=arm64 ;; *) echo "unsupported arch ${TARGETARCH}" >&2; exit 1 ;; esac \
 && curl -fsSL "https://github.com/superfly/flyctl/releases/download/v${FLYCTL_VERSION}/flyctl_${FLYCTL_VERSION}_Linux_${arch}.tar.gz" \
    | tar -xz -C /usr/local/bin flyctl \
 && /usr/local/bin/flyctl version

FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    FLY_NO_UPDATE_CHECK=1
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data && chown node:node /data
COPY --from=flyctl /usr/local/bin/flyctl /usr/local/bin/flyctl
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
COPY --chown=node:node config ./config
USER node
EXPOSE 8080
# Exec form: SIGTERM from Fly reaches node directly; opsbeat finishes or parks the current step.
CMD ["node", "dist/src/cli.js", "start", "--config", "config/opsbeat.yaml"]
