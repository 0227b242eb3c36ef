# mimtrust gateway image. better-sqlite3 is compiled here, so the build stage has a toolchain.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm ci && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
# Everything the gateway reads or writes lives under /app/config: the configuration, the
# policies and contracts it ships with (a mount may replace them), and the keys and data
# it writes, owned by the user it runs as so that a fresh volume starts out writable.
ENV NODE_ENV=production MIMTRUST_CONFIG=/app/config/mimtrust.yaml
# The gateway's V8 settings (src/app/node-flags.ts): a smaller young generation, about
# 20 MB less resident memory per process idle and more at peak, for about 4% more GC time.
ENV NODE_OPTIONS=--max-semi-space-size=8
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# JSON-LD contexts the credentials read from files (never from the network).
COPY contexts ./contexts
COPY docker/mimtrust.yaml ./config/mimtrust.yaml
COPY policies ./config/policies
COPY contracts ./config/contracts
RUN mkdir -p /app/config/keys /app/config/data /app/config/contracts \
 && chown -R node:node /app/config/keys /app/config/data /app/config/contracts
USER node
VOLUME ["/app/config/keys", "/app/config/data"]
EXPOSE 8443
# `mimtrust health` calls /health on the port the configuration (and MIMTRUST_PORT) names,
# over loopback, without checking the certificate; no curl needed in a slim image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["node", "dist/cli/index.js", "health"]
ENTRYPOINT ["node", "dist/cli/index.js"]
CMD ["start"]
