# mimtrust gateway image. better-sqlite3 is compiled here, so the build stage has a toolchain.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm ci && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production MIMTRUST_HOST=0.0.0.0
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json mimtrust.example.yaml ./
COPY policies ./policies
COPY contracts ./contracts
RUN mkdir -p keys data && chown -R node:node keys data
USER node
EXPOSE 8443
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "require('https').get({host:'127.0.0.1',port:8443,path:'/health',rejectUnauthorized:false},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"
ENTRYPOINT ["node", "dist/cli/index.js"]
CMD ["start"]
