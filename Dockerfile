# syntax=docker/dockerfile:1
# One image, any of the four services, chosen by the argument:
#   docker build -t superheroes:0.1.0 .
#   docker run --rm -p 50051:50051 superheroes:0.1.0 heroes
# Children of compose.yml and deploy/kubernetes/ run this image with heroes|villains|locations|fights.
# Node 26, the line CI runs the whole suite on (package.json engines: 24 or 26).
ARG NODE_IMAGE=node:26-slim

# --- build: every dependency, TypeScript → dist/, the page → services/web/dist ------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY gen gen
COPY services services
# Only gen/ and services/ are product: tsconfig.build.json compiles them without tests or page
# sources (deploy/image-tree.test.ts proves the tree imports nothing it lacks). tsc emits only
# .ts → .js, so the seed data (read at run time next to each app.js) is copied by hand.
RUN npx tsc -p tsconfig.build.json \
 && npm run build:web \
 && for service in heroes villains locations; do cp "services/$service/seed-$service.json" "dist/services/$service/"; done

# --- production dependencies only -----------------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime: non-root, no compiler, no dev dependencies ------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY package.json ./
COPY --from=build /app/dist dist
# The fights web edge serves the page from <project root>/services/web/dist (FIGHTS_WEB_STATIC_DIR).
COPY --from=build /app/services/web/dist services/web/dist
# uid 1000 is the image's `node` user; numeric so Kubernetes can check runAsNonRoot.
USER 1000:1000
# gRPC: fights 50050, heroes 50051, villains 50052, locations 50053; web 8080; admin 9400-9403.
EXPOSE 50050 50051 50052 50053 8080 9400 9401 9402 9403
# Health: node dist/services/container/health-probe.js <gRPC port> (grpc.health.v1, exit 0 = SERVING).
ENTRYPOINT ["node", "--enable-source-maps", "--no-allocation-site-pretenuring", "dist/services/container/entrypoint.js"]
CMD ["fights"]
