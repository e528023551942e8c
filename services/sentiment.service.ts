import { createLexiconScorer, MAX_SCORED_CHARS, type SentimentScore, type SentimentScorer } from '../domain/sentiment';
import { createScorer, listModelVersions } from '../ml';
import { ServiceError } from './errors';
import type { FeatureFlagService } from './feature-flags.service';

/** Ad-hoc scoring in the API process; the model is loaded once, on first use. */
export class SentimentService {
  private model: Promise<SentimentScorer> | undefined;
  private readonly lexicon = createLexiconScorer();

  constructor(private readonly flags: FeatureFlagService) {}

  private async scorer(): Promise<SentimentScorer> {
    if (!(await this.flags.isEnabled('model_sentiment'))) return this.lexicon;
    this.model ??= createScorer({ useModel: true });
    return this.model;
  }

  /** Scores with the fast tier (or the lexicon); `tier` says which. */
  async scoreText(text: string): Promise<SentimentScore & { tier?: string }> {
    // Longer texts are truncated by the scorer; this bound only keeps request bodies sane.
    if (text.length > 20 * MAX_SCORED_CHARS) throw new ServiceError('BAD_USER_INPUT', `text is longer than ${20 * MAX_SCORED_CHARS} characters`, { field: 'text' });
    const scorer = await this.scorer();
    const [score] = await scorer.scoreBatch([text]);
    return { ...score, tier: scorer.tier };
  }

  models() {
    return listModelVersions();
  }
}
