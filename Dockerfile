# One image for both roles: `node dist/runtime/api-main.js` or `node dist/runtime/worker-main.js`.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# tfjs-node (optional) downloads libtensorflow during install; with network access it gives the
# native backend, without it npm skips it and the wasm backend serves instead.
RUN npm ci --no-audit --no-fund || npm install --no-audit --no-fund
COPY . .
RUN npm run build && npm run build:web && node -e "require('./dist/runtime/workflow-bundle').ensureWorkflowBundle()" && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/models ./models
USER node
EXPOSE 4000
CMD ["node", "dist/runtime/api-main.js"]
