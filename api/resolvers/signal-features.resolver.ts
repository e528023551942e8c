import { FieldResolver, Resolver, Root } from 'type-graphql';
import type { EmotionFeatures, NewsIntensityFeatures, TechnicalFeatures, VsaFeatures } from '../../domain/signals';
import { Signal } from '../../entities';
import { EmotionFeaturesType, NewsIntensityType, TechnicalFeaturesType, VsaFeaturesType } from '../types/signal-features';

/** Typed views of the signal's `features` JSON; null when the signal has no such feature (no bars, too few articles, older signals). */
@Resolver(() => Signal)
export class SignalFeaturesResolver {
  @FieldResolver(() => TechnicalFeaturesType, { nullable: true, description: 'SMA, EMA, RSI, MACD, volatility and Hurst at the last bar; null without price bars.' })
  technical(@Root() signal: Signal): TechnicalFeaturesType | null {
    const t = (signal.features as { technical?: TechnicalFeatures | null }).technical;
    if (!t) return null;
    return { ...t, emaFast: t.emaFast ?? null, emaSlow: t.emaSlow ?? null, macdLine: t.macdLine ?? null, macdSignal: t.macdSignal ?? null };
  }

  @FieldResolver(() => NewsIntensityType, { nullable: true, description: 'Hawkes news intensity over the trailing 14 days; null with fewer than 5 articles.' })
  newsIntensity(@Root() signal: Signal): NewsIntensityFeatures | null {
    return (signal.features as { newsIntensity?: NewsIntensityFeatures | null }).newsIntensity ?? null;
  }

  @FieldResolver(() => VsaFeaturesType, { nullable: true, description: 'Volume spread analysis bar classes; null without enough daily bars with volume.' })
  vsa(@Root() signal: Signal): VsaFeaturesType | null {
    const v = (signal.features as { vsa?: VsaFeatures | null }).vsa;
    if (!v) return null;
    const c = v.counts;
    return {
      ...v,
      counts: { buyingClimax: c['buying-climax'], sellingClimax: c['selling-climax'], test: c.test, noSupply: c['no-supply'], noDemand: c['no-demand'], none: c.none },
    };
  }

  @FieldResolver(() => EmotionFeaturesType, { nullable: true, description: "Emotion shares of the recent day's articles and their change against the ticker's 30-day baseline; null with fewer than 3 recent articles with emotions." })
  emotions(@Root() signal: Signal): EmotionFeatures | null {
    return (signal.features as { emotions?: EmotionFeatures | null }).emotions ?? null;
  }
}
