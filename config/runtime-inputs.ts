/**
 * What the API and the worker read from disk at run time, besides node_modules. The Docker
 * image must carry all of it (test/integration/docker-inputs.test.ts checks the Dockerfile and
 * docker-compose.yml against this list, and this list against the code's sharedDataPath and
 * repoRoot reads).
 */
export const RUNTIME_INPUTS = {
  /** Under TIDINGS_SHARED_DIR (config/paths.ts sharedDataPath). */
  shared: [
    // domain/tickers/company.ts: ticker extraction for every stored or imported article
    'companies/sp500_constituents.csv',
    // domain/tickers/listed.ts: the full listed universe (issue 24)
    'companies/us_listed.csv',
  ],
  /** Under the app root (config/paths.ts repoRoot). */
  app: [
    'package.json', // repoRoot() finds the app by it
    'dist', // compiled code, migrations and the prebuilt workflow bundle
    'models/sentiment', // ml/serving/model-store.ts: the active sentiment model
    'models/encoder', // the pretrained encoder fetched by the install step (issue 10)
  ],
} as const;
