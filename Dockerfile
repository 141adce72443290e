# syntax=docker/dockerfile:1
# cachepool image. One image runs every role: `node`, `manager`, `start` (see docs/operations.md).
#   docker build -t cachepool .                                  # nodes, embedded pool, static manager
#   docker build --target manager-kubectl -t cachepool-manager . # manager that scales a StatefulSet

FROM node:20-slim AS build
WORKDIR /app
# better-sqlite3 installs a prebuilt binary when one matches; these build it from source otherwise.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY scripts ./scripts
# `npm ci` runs the `prepare` script (`npm run build`): src/ compiles to dist/src and the
# dashboard bundle to dist/dashboard. test/ and bench/ are not in the build context.
RUN npm ci && npm prune --omit=dev

FROM node:20-slim AS runtime
ENV NODE_ENV=production \
    CACHEPOOL_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /data && chown node:node /data
USER node
# 5000 gateway, 5001 node, 5004 manager and dashboard.
EXPOSE 5000 5001 5004
ENTRYPOINT ["node", "dist/src/cli/index.js"]
CMD ["--help"]

# The manager for Kubernetes: the runtime image plus kubectl for `--scale-command`.
FROM runtime AS manager-kubectl
ARG KUBECTL_VERSION=v1.31.4
ARG TARGETARCH=amd64
USER root
ADD --chmod=755 https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/${TARGETARCH}/kubectl /usr/local/bin/kubectl
USER node

# The default target: the runtime image.
FROM runtime
