/**
 * `npm install` runs this (postinstall): the Temporal CLI (unless one is on PATH or in
 * TEMPORAL_CLI_PATH) and the pretrained encoder, into the checkout. A second run does nothing
 * slow. It never fails the install: when a tool cannot be fetched it prints one clear message
 * with the manual steps, and `npm start` / `npm test` try again and stop with that message.
 * TIDINGS_SKIP_TEMPORAL_CLI=1 / TIDINGS_SKIP_ENCODER=1 skip a part (container builds that talk
 * to a Temporal server). Then, optionally, the native TensorFlow binding (scripts/install/tf-native.js;
 * TIDINGS_TF_NATIVE=0 skips it): when it cannot be built, one line says so and the wasm backend serves.
 * Last, Helm for the chart tests (TIDINGS_SKIP_HELM=1 skips it; the image does not need it).
 */
'use strict';
const { ensureEncoder, ensureHelm, ensureTemporalCli, InstallError } = require('./tools');
const { ensureNativeTf } = require('./tf-native');

const say = (line) => process.stdout.write(`[tidings install] ${line}\n`);

async function main() {
  let ok = true;
  const step = async (what, skip, fn) => {
    if (skip) return say(`${what}: skipped`);
    try {
      say(`${what}: ${await fn()}`);
    } catch (err) {
      if (!(err instanceof InstallError)) throw err;
      ok = false;
      process.stderr.write(`[tidings install] ${what}: ${err.message}\n`);
    }
  };
  await step('Temporal CLI', process.env.TIDINGS_SKIP_TEMPORAL_CLI === '1', () => ensureTemporalCli({ log: say }));
  await step('encoder', process.env.TIDINGS_SKIP_ENCODER === '1', () => ensureEncoder({ log: say }));
  if (!ok) say('continuing without it; see above');
  // Optional: without it TensorFlow.js runs on its wasm backend, so a failure is one line, not a warning.
  try {
    if (process.env.TIDINGS_TF_NATIVE === '0') say('native TensorFlow: skipped (TIDINGS_TF_NATIVE=0)');
    else say(`native TensorFlow: ${await ensureNativeTf({ log: say })}`);
  } catch (err) {
    if (!(err instanceof InstallError)) throw err;
    say(`native TensorFlow: not available, TensorFlow.js uses its wasm backend (${err.message})`);
  }
  // Optional too: only the Kubernetes chart's tests run helm (they install it then if still missing).
  try {
    if (process.env.TIDINGS_SKIP_HELM === '1') say('helm: skipped (TIDINGS_SKIP_HELM=1)');
    else say(`helm: ${await ensureHelm({ log: say })}`);
  } catch (err) {
    if (!(err instanceof InstallError)) throw err;
    process.stderr.write(`[tidings install] helm: ${err.message}\n`);
  }
}

main().catch((err) => {
  process.stderr.write(`[tidings install] unexpected failure: ${err && err.stack ? err.stack : err}\n`);
  process.exitCode = 0; // never block `npm install`; start and test repeat the step with a clear error
});
