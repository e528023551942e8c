/**
 * The labelled pair set built from a story fixture (test/fixtures/stories/stories.json): every
 * two versions of one story are a positive pair; versions of two different stories of the same
 * ticker and day are negatives, and so are the wire versions of two stories of the same kind
 * (earnings, deal, ...) about different tickers, the hard case for word overlap.
 */
export interface StoryVersion {
  feed: string;
  title: string;
  summary: string;
}

export interface FixtureStory {
  id: string;
  ticker: string;
  day: string;
  kind: string;
  versions: StoryVersion[];
}

export interface LabelledPair {
  a: StoryVersion & { story: string };
  b: StoryVersion & { story: string };
  same: boolean;
  why: 'same-story' | 'same-ticker-day' | 'same-kind';
}

export function labelledPairs(stories: FixtureStory[]): LabelledPair[] {
  const pairs: LabelledPair[] = [];
  const tag = (s: FixtureStory, v: StoryVersion) => ({ ...v, story: s.id });
  for (const s of stories) {
    for (let i = 0; i < s.versions.length; i++) for (let j = i + 1; j < s.versions.length; j++) pairs.push({ a: tag(s, s.versions[i]), b: tag(s, s.versions[j]), same: true, why: 'same-story' });
  }
  for (let x = 0; x < stories.length; x++) {
    for (let y = x + 1; y < stories.length; y++) {
      const s = stories[x];
      const t = stories[y];
      if (s.ticker === t.ticker && s.day === t.day) {
        for (const v of s.versions) for (const w of t.versions) pairs.push({ a: tag(s, v), b: tag(t, w), same: false, why: 'same-ticker-day' });
      } else if (s.kind === t.kind && s.ticker !== t.ticker) {
        pairs.push({ a: tag(s, s.versions[0]), b: tag(t, t.versions[0]), same: false, why: 'same-kind' });
      }
    }
  }
  return pairs;
}

/** Deterministic half split by story: a story's pairs (and the stories it is compared with) never straddle the halves' roles. */
export function splitHalves(pairs: LabelledPair[]): { choose: LabelledPair[]; measure: LabelledPair[] } {
  const half = (story: string) => {
    let h = 0;
    for (let i = 0; i < story.length; i++) h = (Math.imul(h, 31) + story.charCodeAt(i)) >>> 0;
    return h % 2;
  };
  const choose: LabelledPair[] = [];
  const measure: LabelledPair[] = [];
  for (const p of pairs) {
    const ha = half(p.a.story);
    const hb = half(p.b.story);
    if (ha === 0 && hb === 0) choose.push(p);
    else if (ha === 1 && hb === 1) measure.push(p);
    // Pairs across the halves are left out: each half's stories stay unseen by the other.
  }
  return { choose, measure };
}
