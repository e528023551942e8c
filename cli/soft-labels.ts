/**
 * `node dist/cli/soft-labels.js [--version V] [--max-seconds S] [--out FILE]`: scores a corpus of
 * real text with the accurate tier and appends its raw (uncalibrated) class probabilities to a
 * JSONL cache in scratch/ (gitignored), one `{"text","p":[neg,neu,pos]}` a line. Texts already
 * in the cache are skipped, so the job can be stopped and resumed. These are the soft labels the
 * fast tier is distilled from (cli/distil-fast.ts) and the held-out probabilities the
 * calibration is fitted and checked on (cli/calibrate-sentiment.ts).
 *
 * Order is priority: the evaluation splits and early-stopping texts first, then the unlabelled
 * real text (StockTwits messages, feed titles), then the labelled training texts, then GoEmotions
 * (general Reddit text, least like ours), so a time cap drops the least useful part.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadMlConfig } from '../config/ml';
import { repoRoot, sharedDataPath } from '../config/paths';
import { configureMl, defaultModelsDir, distillationCorpus, loadModelScorer } from '../ml';
import { numberFlag, parseFlags, sentimentDataFiles } from './flags';

async function main(): Promise<void> {
  configureMl(loadMlConfig());
  const flags = parseFlags(process.argv.slice(2));
  const modelsDir = flags.get('models-dir') ?? defaultModelsDir();
  const version = flags.get('version') ?? 'ft6-2026-11-30-s7';
  const maxSeconds = numberFlag(flags, 'max-seconds', 1200);
  const out = flags.get('out') ?? path.join(repoRoot(), 'scratch', 'soft-labels', `${version}.jsonl`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const done = new Set<string>();
  if (fs.existsSync(out)) {
    for (const line of fs.readFileSync(out, 'utf8').split('\n')) if (line) done.add((JSON.parse(line) as { text: string }).text);
  }
  const corpus = distillationCorpus(sentimentDataFiles(flags), { emotionsDir: sharedDataPath('emotions'), feedsDir: sharedDataPath('feeds') }).filter((c) => !done.has(c.text));
  console.log(`${done.size} texts cached; ${corpus.length} to score with ${version} (cap ${maxSeconds}s)`);
  const scorer = await loadModelScorer({ modelsDir, version, uncalibrated: true });
  const started = Date.now();
  let scored = 0;
  const batch = 64;
  for (let start = 0; start < corpus.length; start += batch) {
    if ((Date.now() - started) / 1000 > maxSeconds) break;
    const chunk = corpus.slice(start, start + batch);
    const results = await scorer.scoreBatch(chunk.map((c) => c.text));
    const lines = results
      .map((r, i) => (r.probabilities ? JSON.stringify({ text: chunk[i].text, source: chunk[i].source, p: [r.probabilities.negative, r.probabilities.neutral, r.probabilities.positive] }) : ''))
      .filter(Boolean);
    if (lines.length > 0) fs.appendFileSync(out, lines.join('\n') + '\n');
    scored += chunk.length;
    if ((start / batch) % 10 === 0) console.log(`${scored}/${corpus.length} (${(scored / ((Date.now() - started) / 1000)).toFixed(1)}/s) ${chunk[0].source}`);
  }
  scorer.dispose?.();
  console.log(`scored ${scored} texts in ${((Date.now() - started) / 1000).toFixed(0)}s into ${out}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
