/**
 * `npm run bench -- sentiment [--models-dir D] [--version V] [--accurate-version V] [--file F]`:
 * headlines/s of both tiers at batch 1, 32 and 256 (each tier in its own process, so peak RSS is
 * its own) and of the lexicon fallback, plus the models' recorded training times. When the
 * accurate tier runs on native TensorFlow, it runs again on wasm as the peer (ratio printed). Last line:
 * `sentiment_headlines_per_s=<fast tier, best batched rate> accurate_headlines_per_s=<accurate tier at batch 32>`.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { sharedDataPath } from '../config/paths';
import { loadMlConfig } from '../config/ml';
import { activeTierVersion, configureMl, defaultModelsDir, readMetadata } from '../ml';

function flag(args: string[], name: string): string | undefined {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
}

interface TierResult {
  tier: string;
  version: string;
  backend: string;
  rates: Record<string, number>;
  perCpuSecond: Record<string, number>;
  load: number;
  lexicon?: Record<string, number>;
  peakRssMb: number;
  loadSeconds: number;
  workers: number;
}

function runTier(tier: 'fast' | 'accurate', corpusFile: string, modelsDir: string, version: string | undefined, batches = '', env: NodeJS.ProcessEnv = process.env): TierResult {
  const out = execFileSync(process.execPath, [path.join(__dirname, '_sentiment-tier.js'), tier, corpusFile, modelsDir, version ?? '', batches], {
    encoding: 'utf8',
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = out.trim().split('\n').pop()!;
  return JSON.parse(line) as TierResult;
}

export default async function benchSentiment(args: string[]): Promise<void> {
  configureMl(loadMlConfig()); // the models and backend the environment names (config/ml.ts)
  const modelsDir = flag(args, 'models-dir') ?? defaultModelsDir();
  const corpusFile = flag(args, 'file') ?? path.join(process.env.TIDINGS_SENTIMENT_DATA_DIR ?? sharedDataPath('sentiment'), 'twitter-financial-news', 'valid.csv');
  // Native TensorFlow (tfjs-node) when the install step built it, else wasm with SIMD and one
  // thread per wasm instance: tfjs-backend-wasm reports no multithread support under Node, and
  // forcing it fails (its pthread worker is a blob: URL, which worker_threads rejects); on wasm the
  // accurate tier uses the cores through its pool of encoder worker threads. TIDINGS_TF_DISABLE_NATIVE=1 forces wasm.
  console.log(`corpus ${path.basename(corpusFile)}; backend per tier below; 1-min load average ${os.loadavg()[0].toFixed(1)} on ${os.availableParallelism()} cores`);

  const fast = runTier('fast', corpusFile, modelsDir, flag(args, 'version'));
  const fastMeta = readMetadata(modelsDir, fast.version);
  console.log(`fast tier ${fast.version} on ${fast.backend}; training ${Number(fastMeta.trainingSeconds).toFixed(1)}s on ${String(fastMeta.backend)}; peak RSS ${Math.round(fast.peakRssMb)} MB`);
  for (const [b, r] of Object.entries(fast.rates)) console.log(`  fast     batch ${b.padStart(3)}: ${Math.round(r)} headlines/s`);
  for (const [b, r] of Object.entries(fast.lexicon ?? {})) console.log(`  lexicon  batch ${b.padStart(3)}: ${Math.round(r)} headlines/s`);
  const fastBest = Math.max(fast.rates['32'], fast.rates['256']);

  const accurateVersion = flag(args, 'accurate-version') ?? activeTierVersion(modelsDir, 'accurate');
  let accurateRate = 0;
  if (accurateVersion) {
    const accurate = runTier('accurate', corpusFile, modelsDir, accurateVersion);
    const meta = readMetadata(modelsDir, accurate.version);
    console.log(
      `accurate tier ${accurate.version} on ${accurate.backend}, ${accurate.workers} encoder worker thread(s), loaded in ${accurate.loadSeconds.toFixed(1)}s; heads trained in ${Number(meta.trainingSeconds).toFixed(1)}s ` +
        `(+ ${Number(meta.embeddingSeconds ?? 0).toFixed(0)}s in that run's embedding step; a cold cache needs one encoder pass over ~22,600 texts); peak RSS ${Math.round(accurate.peakRssMb)} MB`,
    );
    for (const [b, r] of Object.entries(accurate.rates)) {
      console.log(`  accurate batch ${b.padStart(3)}: ${r.toFixed(1)} headlines/s (${accurate.perCpuSecond[b].toFixed(1)} per CPU-second; 1-min load average ${accurate.load.toFixed(1)})`);
    }
    accurateRate = accurate.rates['32'];
    if (accurate.workers > 0) {
      // The peer, in the same run: the encoder on the calling thread, no worker threads.
      const single = runTier('accurate', corpusFile, modelsDir, accurateVersion, '32', { ...process.env, TIDINGS_ENCODER_WORKERS: '0' });
      console.log(
        `  peer: encoder on the calling thread, batch  32: ${single.rates['32'].toFixed(1)} headlines/s (${single.perCpuSecond['32'].toFixed(1)} per CPU-second; peak RSS ${Math.round(single.peakRssMb)} MB); ` +
          `the pool is ${(accurateRate / single.rates['32']).toFixed(2)}x its wall-clock rate`,
      );
    }
    if (accurate.backend !== 'wasm') {
      // The peer: the same tier on wasm, measured right after in this run.
      const peer = runTier('accurate', corpusFile, modelsDir, accurateVersion, '32', { ...process.env, TIDINGS_TF_DISABLE_NATIVE: '1' });
      console.log(
        `  peer on ${peer.backend}: batch 32 ${peer.rates['32'].toFixed(1)} headlines/s (${peer.perCpuSecond['32'].toFixed(1)} per CPU-second; load ${peer.load.toFixed(1)}); peak RSS ${Math.round(peer.peakRssMb)} MB`,
      );
      console.log(
        `  ${accurate.backend}/${peer.backend} at batch 32: ${(accurate.rates['32'] / peer.rates['32']).toFixed(2)}x wall-clock, ${(accurate.perCpuSecond['32'] / peer.perCpuSecond['32']).toFixed(2)}x per CPU-second`,
      );
    }
  } else {
    console.log('no active accurate tier (npm run train:sentiment -- --tier accurate)');
  }
  console.log(`sentiment_headlines_per_s=${Math.round(fastBest)} accurate_headlines_per_s=${accurateRate.toFixed(1)}`);
}
