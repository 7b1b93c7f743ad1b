# threadbot's container image. Sizes and timings: docs/image.md.
#   docker build -t threadbot .
# The base is the official Node image on the Active LTS line (24). Another one can be passed in, e.g.
#   docker build --build-arg NODE_IMAGE=node:22-trixie-slim -t threadbot .
# (any Debian-based image with node and npm in PATH and a `node` user works).
ARG NODE_IMAGE=node:24-trixie-slim

# Build stage: compile TypeScript with the dev dependencies. The image runs the JavaScript only, so no
# type declarations or source maps are emitted here (`npm run build`, for the npm package, still emits them).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json --declaration false --declarationMap false --sourceMap false

# Production dependencies only, without what is never loaded at run time: TypeScript files (type
# declarations are most of node_modules' weight; Node does not strip types under node_modules, so no
# package can run its .ts), source maps, and the packages' own tests.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && find node_modules -type f \( -name '*.ts' -o -name '*.mts' -o -name '*.cts' -o -name '*.map' -o -name '*.tsbuildinfo' \) -delete \
 && find node_modules -depth -type d \( -name test -o -name tests -o -name __tests__ \) -exec rm -rf {} +

# Runtime: the compiled app, its production dependencies, package.json (for "type": "module") and app.yml
# (Probot's setup page). Owned by root, run as the unprivileged `node` user: the app cannot rewrite itself.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json app.yml ./
USER node
EXPOSE 3000
# No curl in the slim image: node's own fetch.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/ping').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# `node` is PID 1 (exec form, not npm or a shell), so `docker stop`'s SIGTERM reaches the app, which stops
# taking webhooks and finishes answers in flight (SHUTDOWN_GRACE_SECONDS) before exiting.
CMD ["node", "dist/server.js"]
