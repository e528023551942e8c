import type { PointInTimeView } from './point-in-time';
import type { SentimentObservation, SentimentWindowFeatures, SentimentWindowSpec } from './types';

interface Story {
  key: string;
  score: number;
  relevance: number;
}

const keyOf = (o: SentimentObservation): string => o.storyKey ?? o.articleId;

/**
 * Stories in (from, to]: near-duplicates (same storyKey) collapse into one story whose score is
 * the relevance-weighted mean of its copies and whose relevance is the highest copy's, so a
 * syndicated article counts once however many outlets carry it.
 */
function storiesIn(view: PointInTimeView, from: number, to: number, minRelevance: number): { stories: Story[]; articles: number } {
  const byKey = new Map<string, { sumWs: number; sumW: number; relevance: number }>();
  let articles = 0;
  for (const o of view.observations) {
    const t = o.publishedAt.getTime();
    if (t <= from || t > to || !(o.relevance >= minRelevance) || !Number.isFinite(o.score)) continue;
    articles++;
    const k = keyOf(o);
    const s = byKey.get(k) ?? { sumWs: 0, sumW: 0, relevance: 0 };
    s.sumWs += o.score * o.relevance;
    s.sumW += o.relevance;
    s.relevance = Math.max(s.relevance, o.relevance);
    byKey.set(k, s);
  }
  const stories: Story[] = [];
  for (const [key, s] of byKey) stories.push({ key, score: s.sumW > 0 ? s.sumWs / s.sumW : 0, relevance: s.relevance });
  return { stories, articles };
}

function weightedMoments(stories: Story[]): { mean: number; sd: number } | null {
  let w = 0;
  let ws = 0;
  for (const s of stories) {
    w += s.relevance;
    ws += s.relevance * s.score;
  }
  if (!(w > 0)) return null;
  const mean = ws / w;
  let ss = 0;
  for (const s of stories) ss += s.relevance * (s.score - mean) ** 2;
  return { mean, sd: Math.sqrt(ss / w) };
}

/** Earliest sighting of each story key among everything known at asOf. */
export function firstSeen(view: PointInTimeView): Map<string, number> {
  const seen = new Map<string, number>();
  for (const o of view.observations) {
    const k = keyOf(o);
    const t = o.publishedAt.getTime();
    if (!seen.has(k) || t < seen.get(k)!) seen.set(k, t);
  }
  return seen;
}

export function windowFeatures(
  view: PointInTimeView,
  spec: SentimentWindowSpec,
  previousSignalAt: number,
  minRelevance: number,
  seen: Map<string, number> = firstSeen(view),
): SentimentWindowFeatures & { articleIds: string[] } {
  const to = view.asOf.getTime();
  const current = storiesIn(view, to - spec.ms, to, minRelevance);
  const previous = storiesIn(view, to - 2 * spec.ms, to - spec.ms, minRelevance);
  const now = weightedMoments(current.stories);
  const before = weightedMoments(previous.stories);
  const novel = current.stories.filter((s) => (seen.get(s.key) ?? -Infinity) > previousSignalAt).length;
  const articleIds = view.observations
    .filter((o) => o.publishedAt.getTime() > to - spec.ms && o.relevance >= minRelevance)
    .map((o) => o.articleId);
  return {
    window: spec.name,
    count: current.stories.length,
    articles: current.articles,
    weightedMean: now ? now.mean : null,
    dispersion: now ? now.sd : null,
    momentum: now && before ? now.mean - before.mean : null,
    novelty: current.stories.length > 0 ? novel / current.stories.length : null,
    articleIds,
  };
}
