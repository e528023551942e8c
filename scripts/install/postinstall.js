/**
 * `npm install` runs this (postinstall): the Temporal CLI (unless one is on PATH or in
 * TEMPORAL_CLI_PATH) and the pretrained encoder, into the checkout. A second run does nothing
 * slow. It never fails the install: when a tool cannot be fetched it prints one clear message
 * with the manual steps, and `npm start` / `npm test` try again and stop with that message.
 * TIDINGS_SKIP_TEMPORAL_CLI=1 / TIDINGS_SKIP_ENCODER=1 skip a part (container builds that talk
 * to a Temporal server).
 */
'use strict';
const { ensureEncoder, ensureTemporalCli, InstallError } = require('./tools');

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
}

main().catch((err) => {
  process.stderr.write(`[tidings install] unexpected failure: ${err && err.stack ? err.stack : err}\n`);
  process.exitCode = 0; // never block `npm install`; start and test repeat the step with a clear error
});
