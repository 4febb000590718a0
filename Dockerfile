# Baryon as a container: `docker build -t baryon . && docker run -p 3000:3000 --env-file .env baryon`
# Build stage: full install (TypeScript, esbuild) and build.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
RUN node scripts/build.mjs && npm prune --omit=dev

# Runtime stage: production dependencies, the build, nothing else; runs as the non-root `node` user.
FROM node:22-bookworm-slim
# The embedded registry and the bundle store live on a volume the unprivileged user owns;
# set DATABASE_URL and BARYON_ARTIFACT_BUCKET to keep them in Postgres and S3 instead.
ENV NODE_ENV=production PORT=3000 BARYON_DATA_DIR=/data/registry BARYON_ARTIFACT_DIR=/data/artifacts
# The folders exist in the image so that volumes mounted on them start owned by `node`.
RUN mkdir -p /data/registry /data/artifacts && chown -R node:node /data
VOLUME /data
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json app.yml ./
COPY --chown=node:node bin ./bin
COPY --chown=node:node schema ./schema
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "bin/baryon.js", "serve"]
