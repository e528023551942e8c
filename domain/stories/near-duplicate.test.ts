import fs from 'node:fs';
import path from 'node:path';
import { chooseThreshold, contentWords, jaccard, matchStory, minhashSignature, precisionRecall, signatureSimilarity, STORY_SIMILARITY_THRESHOLD, storyText, type PairScore } from './near-duplicate';
import { labelledPairs, splitHalves, type FixtureStory, type LabelledPair } from './labelled-pairs';

const stories = (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'test', 'fixtures', 'stories', 'stories.json'), 'utf8')) as { stories: FixtureStory[] }).stories;
const sig = (v: { title: string; summary: string }) => minhashSignature(storyText(v.title, v.summary));
const scored = (pairs: LabelledPair[]): Array<PairScore & { pair: LabelledPair }> => pairs.map((pair) => ({ score: signatureSimilarity(sig(pair.a), sig(pair.b)), same: pair.same, pair }));

describe('story near-duplicates on the labelled pairs', () => {
  const pairs = labelledPairs(stories);
  const { choose, measure } = splitHalves(pairs);

  it('has at least 200 labelled pairs, both kinds, split into disjoint halves', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(200);
    expect(pairs.filter((p) => p.same).length).toBeGreaterThanOrEqual(100);
    expect(choose.length).toBeGreaterThan(100);
    expect(measure.length).toBeGreaterThan(100);
    const chooseStories = new Set(choose.flatMap((p) => [p.a.story, p.b.story]));
    expect(measure.some((p) => chooseStories.has(p.a.story) || chooseStories.has(p.b.story))).toBe(false);
  });

  it('the threshold chosen on one half is the one in use, and holds up on the other half', () => {
    const chosen = chooseThreshold(scored(choose));
    expect(chosen.threshold).toBe(STORY_SIMILARITY_THRESHOLD);
    const held = precisionRecall(scored(measure), STORY_SIMILARITY_THRESHOLD);
    const byFeeds = (a: string, b: string) => {
      const ps = scored(measure.filter((p) => p.same && [p.a.feed, p.b.feed].sort().join('+') === [a, b].sort().join('+')));
      return `${ps.filter((p) => p.score >= STORY_SIMILARITY_THRESHOLD).length}/${ps.length}`;
    };
    console.log(
      `story pairs: ${pairs.length} (${pairs.filter((p) => p.same).length} same story); threshold ${chosen.threshold} chosen on ${choose.length} pairs (F1 ${chosen.f1.toFixed(3)}); ` +
        `held-out ${measure.length} pairs: precision ${held.precision.toFixed(3)} recall ${held.recall.toFixed(3)} (TP ${held.truePositives} FP ${held.falsePositives} FN ${held.falseNegatives}); ` +
        `recall wire+syndicate ${byFeeds('wire', 'syndicate')}, wire+rewrite ${byFeeds('wire', 'rewrite')}, syndicate+rewrite ${byFeeds('syndicate', 'rewrite')}`,
    );
    expect(held.precision).toBeGreaterThanOrEqual(0.9);
    expect(held.recall).toBeGreaterThanOrEqual(0.9);
  });

  it('MinHash tracks the exact Jaccard similarity it estimates', () => {
    let worst = 0;
    for (const p of pairs.slice(0, 120)) {
      const est = signatureSimilarity(sig(p.a), sig(p.b));
      const exact = jaccard(storyText(p.a.title, p.a.summary), storyText(p.b.title, p.b.summary));
      worst = Math.max(worst, Math.abs(est - exact));
    }
    // 128 slots: standard error <= 0.045; 120 pairs stay within about 3.5 of it.
    expect(worst).toBeLessThan(0.16);
  });
});

describe('contentWords and signatures', () => {
  it('drops outlet boilerplate, stopwords and plural endings; keeps figures', () => {
    expect(contentWords('Apple beats revenue estimates. Click here for more business news. Copyright 2026 newswire; all rights reserved.')).toEqual(['apple', 'beat', 'revenue', 'estimate']);
    expect(contentWords('Amazon to cut 9,000 jobs, $4.2 billion')).toEqual(['amazon', 'cut', '9000', 'job', '$4.2', 'billion']);
  });

  it('identical texts are 1, unrelated ones near 0, empty text matches nothing', () => {
    const a = minhashSignature('Exxon to buy shale producer Ridgeline for $11 billion');
    expect(signatureSimilarity(a, minhashSignature('Exxon to buy shale producer Ridgeline for $11 billion'))).toBe(1);
    expect(signatureSimilarity(a, minhashSignature('Netflix brings TV games with phone controllers'))).toBeLessThan(0.05);
    expect(signatureSimilarity(minhashSignature(''), minhashSignature(''))).toBe(0);
  });
});

describe('matchStory', () => {
  const t = (h: number) => new Date(Date.UTC(2026, 0, 5, h));
  const wire = stories[0].versions[0];
  const copy = stories[0].versions[1];
  const other = stories[1].versions[0];
  it('joins the most similar earlier story within the window, else none', () => {
    const candidates = [
      { id: 'a1', storyId: 's-other', publishedAt: t(1), signature: sig(other) },
      { id: 'a2', storyId: 's-wire', publishedAt: t(2), signature: sig(wire) },
    ];
    expect(matchStory({ publishedAt: t(3), signature: sig(copy) }, candidates)).toMatchObject({ storyId: 's-wire', matchedId: 'a2' });
    // Three days later the same words are another story (a recurring headline).
    expect(matchStory({ publishedAt: t(75), signature: sig(copy) }, candidates)).toBeNull();
    expect(matchStory({ publishedAt: t(3), signature: sig(stories[5].versions[0]) }, candidates)).toBeNull();
  });

  it('breaks ties towards the earliest candidate whatever the load order', () => {
    const s = sig(wire);
    const c = [
      { id: 'b', storyId: 'late', publishedAt: t(5), signature: s },
      { id: 'a', storyId: 'early', publishedAt: t(4), signature: s },
    ];
    expect(matchStory({ publishedAt: t(6), signature: s }, c)!.storyId).toBe('early');
    expect(matchStory({ publishedAt: t(6), signature: s }, [...c].reverse())!.storyId).toBe('early');
  });
});
