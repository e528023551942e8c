/**
 * Story clustering cost and quality. Quality: precision and recall on the labelled pairs
 * (test/fixtures/stories; threshold chosen on one half, measured on the other, as in
 * domain/stories/near-duplicate.test.ts). Cost: MinHash signatures per second over the fixture's
 * texts, and matchStory against a busy ticker's 48 h of candidates (1,000, the store's cap).
 *
 *   npm run bench -- stories [signatures=20000]
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { repoRoot } from '../config/paths';
import { chooseThreshold, matchStory, minhashSignature, precisionRecall, signatureSimilarity, STORY_SIMILARITY_THRESHOLD, storyText } from '../domain/stories';
import { labelledPairs, splitHalves, type FixtureStory } from '../domain/stories/labelled-pairs';

export default async function storiesBench(args: string[]): Promise<void> {
  const n = Number(args[0] ?? 20000);
  const stories = (JSON.parse(fs.readFileSync(path.join(repoRoot(), 'test', 'fixtures', 'stories', 'stories.json'), 'utf8')) as { stories: FixtureStory[] }).stories;
  const pairs = labelledPairs(stories);
  const { choose, measure } = splitHalves(pairs);
  const score = (ps: typeof pairs) => ps.map((p) => ({ score: signatureSimilarity(minhashSignature(storyText(p.a.title, p.a.summary)), minhashSignature(storyText(p.b.title, p.b.summary))), same: p.same }));
  const chosen = chooseThreshold(score(choose));
  const held = precisionRecall(score(measure), chosen.threshold);
  console.log(`pairs ${pairs.length} (${pairs.filter((p) => p.same).length} same story); threshold ${chosen.threshold} (in use ${STORY_SIMILARITY_THRESHOLD}) chosen on ${choose.length}; held-out ${measure.length}: precision ${held.precision.toFixed(3)} recall ${held.recall.toFixed(3)}`);

  const texts = stories.flatMap((s) => s.versions.map((v) => storyText(v.title, v.summary)));
  const t0 = performance.now();
  const sigs: number[][] = [];
  for (let i = 0; i < n; i++) sigs.push(minhashSignature(`${texts[i % texts.length]} ${i}`));
  const t1 = performance.now();
  const base = Date.UTC(2026, 0, 1);
  const candidates = sigs.slice(0, 1000).map((signature, i) => ({ id: `a${i}`, storyId: `s${i}`, publishedAt: new Date(base + i * 60_000), signature }));
  const rounds = 200;
  const t2 = performance.now();
  let matched = 0;
  for (let r = 0; r < rounds; r++) if (matchStory({ publishedAt: new Date(base + 600 * 60_000), signature: sigs[1000 + r] }, candidates)) matched++;
  const t3 = performance.now();
  const perSig = ((t1 - t0) * 1000) / n;
  const perMatch = (t3 - t2) / rounds;
  console.log(`signatures: ${n} in ${(t1 - t0).toFixed(0)} ms (${perSig.toFixed(1)} us each); matchStory against 1,000 candidates: ${perMatch.toFixed(3)} ms each (${matched}/${rounds} matched)`);
  console.log(`stories_precision=${held.precision.toFixed(3)} stories_recall=${held.recall.toFixed(3)} threshold=${chosen.threshold} signature_us=${perSig.toFixed(1)} match_1000_ms=${perMatch.toFixed(3)}`);
}
