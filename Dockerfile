# syntax=docker/dockerfile:1
# Build stage: install exactly what package-lock.json says, including the native argon2 build.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run typecheck && npm prune --omit=dev

# Runtime stage: no compilers, an unprivileged user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY --from=build /app /app
# tsx is a runtime dependency: it runs the TypeScript sources directly.
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s CMD node -e "fetch('http://127.0.0.1:3000/readyz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# A heap limit, as npm start: without one V8 grows toward ~4 GB before collecting in earnest
# (RSS 400-530 MB under 50 connections; with it ~240 MB at the same throughput, docs/PERFORMANCE.md).
# As npm start: two malloc arenas, and two libuv threads, so at most two argon2 hashes (19 MiB
# each) run at once — as many as two cores can run anyway (peak RSS under bench:load 279-281 →
# 232-259 MB, same login throughput). Raise UV_THREADPOOL_SIZE with the cores if logins queue.
ENV MALLOC_ARENA_MAX=2 UV_THREADPOOL_SIZE=2
CMD ["node", "--max-old-space-size=256", "--import", "tsx", "src/server.ts"]
