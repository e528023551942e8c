/**
 * `npm run eval:long-text -- [--tier fast|accurate] [--version V] [--models-dir D] [--limit N] [--seed S]`:
 * per-entity sentiment in synthetic paragraphs (ml/evaluation/paragraph-eval.ts: 3-5 headlines
 * of SEntFiN's held-out test split, the same split as `npm run eval:sentiment -- --entities`,
 * joined; no labelled paragraph set exists). Each entity's label from its own headline is the
 * truth; three predictions are compared:
 *   - one pass: the title and body as one text (what appending the summary would do), its label for every entity;
 *   - document: scoreLongText's aggregated sentence scores, its label for every entity;
 *   - per company: scoreLongText's score of the sentences naming the entity (the entity head on
 *     the accurate tier), the document's label where the entity was not found.
 * Over all entities and over those of mixed paragraphs (entities with different labels). Last
 * line: `one_pass_accuracy=… document_accuracy=… per_company_accuracy=… per_company_mixed_accuracy=…`.
 */
import path from 'node:path';
import { sharedDataPath } from '../config/paths';
import { loadMlConfig } from '../config/ml';
import type { SentimentLabel } from '../domain/sentiment';
import { articleText, configureMl, defaultModelsDir, entitySplit, evaluate, formatReport, loadModelScorer, type ModelTier, preferredVersion, scoreLongText, syntheticParagraphs } from '../ml';
import { numberFlag, parseFlags } from './flags';

async function main(): Promise<void> {
  configureMl(loadMlConfig()); // the models and backend the environment names (config/ml.ts)
  const flags = parseFlags(process.argv.slice(2));
  const dataDir = process.env.TIDINGS_SENTIMENT_DATA_DIR ?? sharedDataPath('sentiment');
  const sentfin = path.join(dataDir, 'sentfin', 'SEntFiN.csv');
  const modelsDir = flags.get('models-dir') ?? defaultModelsDir();
  const requestedTier = flags.get('tier');
  if (requestedTier !== undefined && requestedTier !== 'fast' && requestedTier !== 'accurate') throw new Error(`--tier must be fast or accurate, got "${requestedTier}"`);
  const tier: ModelTier = (requestedTier as ModelTier | undefined) ?? preferredVersion(modelsDir).tier;
  const scorer = await loadModelScorer({ version: flags.get('version'), modelsDir, tier });

  let paragraphs = syntheticParagraphs(entitySplit(sentfin).test, numberFlag(flags, 'seed', 7));
  const limit = numberFlag(flags, 'limit', 0);
  if (limit > 0) paragraphs = paragraphs.slice(0, limit);
  const entityCount = paragraphs.reduce((n, p) => n + p.entities.length, 0);
  console.log(
    `scoring ${paragraphs.length} synthetic paragraphs (${paragraphs.filter((p) => p.mixed).length} mixed) with ${entityCount} entities from the SEntFiN test split with ${scorer.modelVersion} (${scorer.tier ?? tier} tier) on ${scorer.backend}`,
  );

  const started = process.hrtime.bigint();
  const onePass: SentimentLabel[] = [];
  for (let i = 0; i < paragraphs.length; i += 64) {
    const scores = await scorer.scoreBatch(paragraphs.slice(i, i + 64).map((p) => articleText(p.title, p.body)));
    onePass.push(...scores.map((s) => s.label ?? 'neutral'));
  }
  const onePassSeconds = Number(process.hrtime.bigint() - started) / 1e9;

  const actual: SentimentLabel[] = [];
  const mixed: boolean[] = [];
  const predicted = { onePass: [] as SentimentLabel[], document: [] as SentimentLabel[], perCompany: [] as SentimentLabel[] };
  let found = 0;
  let sentenceModeCount = 0;
  const longStarted = process.hrtime.bigint();
  for (const [i, p] of paragraphs.entries()) {
    const long = await scoreLongText(scorer, { title: p.title, body: p.body, companies: p.entities.map((e) => ({ key: e.key, names: [e.entity] })) });
    if (long.mode === 'sentences') sentenceModeCount++;
    const document = long.document?.label ?? 'neutral';
    for (const e of p.entities) {
      const own = long.companies.get(e.key);
      if (own) found++;
      actual.push(e.label);
      mixed.push(p.mixed);
      predicted.onePass.push(onePass[i]);
      predicted.document.push(document);
      predicted.perCompany.push(own?.label ?? document);
    }
  }
  const longSeconds = Number(process.hrtime.bigint() - longStarted) / 1e9;
  scorer.dispose?.();

  const on = (keep: boolean[], labels: SentimentLabel[]) => labels.filter((_, i) => keep[i]);
  const all = actual.map(() => true);
  const reports = {
    onePass: evaluate(actual, predicted.onePass),
    document: evaluate(actual, predicted.document),
    perCompany: evaluate(actual, predicted.perCompany),
    onePassMixed: evaluate(on(mixed, actual), on(mixed, predicted.onePass)),
    documentMixed: evaluate(on(mixed, actual), on(mixed, predicted.document)),
    perCompanyMixed: evaluate(on(mixed, actual), on(mixed, predicted.perCompany)),
  };
  console.log(formatReport('one pass over title + body, its label for every entity', reports.onePass));
  console.log(formatReport('long text: the document label for every entity', reports.document));
  console.log(formatReport('long text: per company (document label where not found)', reports.perCompany));
  console.log(`entities found in a sentence: ${found}/${all.length}; paragraphs scored by sentences: ${sentenceModeCount}/${paragraphs.length}`);
  console.log(`mixed paragraphs only (${on(mixed, actual).length} entities): one pass ${reports.onePassMixed.accuracy.toFixed(4)}, document ${reports.documentMixed.accuracy.toFixed(4)}, per company ${reports.perCompanyMixed.accuracy.toFixed(4)}`);
  console.log(`time: one pass ${onePassSeconds.toFixed(1)} s, long text (sentences + per company) ${longSeconds.toFixed(1)} s`);
  console.log(
    `one_pass_accuracy=${reports.onePass.accuracy.toFixed(4)} document_accuracy=${reports.document.accuracy.toFixed(4)} per_company_accuracy=${reports.perCompany.accuracy.toFixed(4)} per_company_macro_f1=${reports.perCompany.macroF1.toFixed(4)} per_company_mixed_accuracy=${reports.perCompanyMixed.accuracy.toFixed(4)}`,
  );
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
