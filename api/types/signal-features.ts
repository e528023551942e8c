import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType({ simpleResolvers: true, description: 'Indicator values at the last daily bar known at the signal\'s asOf (see domain/signals/README.md).' })
export class TechnicalFeaturesType {
  @Field(() => Int)
  barsUsed!: number;

  @Field()
  lastBarTime!: string;

  @Field(() => Float)
  lastClose!: number;

  @Field(() => Float, { nullable: true, description: 'SMA 20' })
  smaFast!: number | null;

  @Field(() => Float, { nullable: true, description: 'SMA 50' })
  smaSlow!: number | null;

  @Field(() => Float, { nullable: true, description: '+1 fast SMA above slow, -1 below' })
  smaCross!: number | null;

  @Field(() => Float, { nullable: true, description: 'EMA 12 (signals computed before this field existed: null)' })
  emaFast!: number | null;

  @Field(() => Float, { nullable: true, description: 'EMA 26' })
  emaSlow!: number | null;

  @Field(() => Float, { nullable: true })
  emaCross!: number | null;

  @Field(() => Float, { nullable: true, description: 'RSI 14' })
  rsi!: number | null;

  @Field(() => Float, { nullable: true, description: 'MACD line (EMA 12 - EMA 26)' })
  macdLine!: number | null;

  @Field(() => Float, { nullable: true, description: 'MACD signal line (EMA 9 of the MACD line)' })
  macdSignal!: number | null;

  @Field(() => Float, { nullable: true })
  macdHistogram!: number | null;

  @Field(() => Float, { nullable: true, description: '20-bar annualised volatility of log returns' })
  volatility!: number | null;

  @Field(() => Float, { nullable: true, description: 'Hurst exponent (corrected R/S, last 256 returns)' })
  hurst!: number | null;

  @Field(() => Float, { nullable: true, description: 'Technical score in [-1, 1]' })
  score!: number | null;
}

@ObjectType({ simpleResolvers: true, description: 'Articles about the ticker as a Hawkes process (exponential kernel), fitted by maximum likelihood over the trailing window.' })
export class NewsIntensityType {
  @Field(() => Float)
  windowHours!: number;

  @Field(() => Int)
  events!: number;

  @Field(() => Float, { description: 'Baseline articles per hour (mu)' })
  baseline!: number;

  @Field(() => Float, { description: 'Expected follow-up articles per article (alpha, in [0, 1))' })
  branchingRatio!: number;

  @Field(() => Float, { description: 'Decay per hour (beta)' })
  decayPerHour!: number;

  @Field(() => Float, { description: 'Intensity at asOf, articles per hour' })
  currentIntensity!: number;

  @Field(() => Float, { description: 'currentIntensity / baseline; above 1 during a burst' })
  intensityRatio!: number;

  @Field(() => Float)
  logLikelihood!: number;
}

@ObjectType({ simpleResolvers: true })
export class VsaCountsType {
  @Field(() => Int)
  buyingClimax!: number;

  @Field(() => Int)
  sellingClimax!: number;

  @Field(() => Int)
  test!: number;

  @Field(() => Int)
  noSupply!: number;

  @Field(() => Int)
  noDemand!: number;

  @Field(() => Int)
  none!: number;
}

@ObjectType({ simpleResolvers: true, description: 'Volume spread analysis of the daily bars known at asOf (rules in domain/indicators/vsa.ts).' })
export class VsaFeaturesType {
  @Field()
  lastBarTime!: string;

  @Field({ description: 'buying-climax, selling-climax, test, no-supply, no-demand or none' })
  lastClass!: string;

  @Field(() => Int)
  recentBars!: number;

  @Field(() => VsaCountsType)
  counts!: VsaCountsType;

  @Field(() => Float, { description: 'Mean bias of the recent bars: +1 strength, -1 weakness' })
  bias!: number;
}

@ObjectType({ simpleResolvers: true, description: 'Share of articles per emotion (sums to 1).' })
export class EmotionSharesType {
  @Field(() => Float) neutral!: number;
  @Field(() => Float) happy!: number;
  @Field(() => Float) sad!: number;
  @Field(() => Float) anger!: number;
  @Field(() => Float) disgust!: number;
  @Field(() => Float) surprise!: number;
  @Field(() => Float) fear!: number;
}

@ObjectType({ simpleResolvers: true, description: "Emotions of the ticker's recent articles against its own baseline (reported beside the decision, not voting in it)." })
export class EmotionFeaturesType {
  @Field(() => Float)
  recentHours!: number;

  @Field(() => Float)
  baselineDays!: number;

  @Field(() => Int)
  recentArticles!: number;

  @Field(() => Int)
  baselineArticles!: number;

  @Field(() => EmotionSharesType)
  recentShares!: EmotionSharesType;

  @Field(() => EmotionSharesType, { nullable: true, description: 'null without baseline articles' })
  baselineShares!: EmotionSharesType | null;

  @Field(() => Float)
  fearShare!: number;

  @Field(() => Float, { nullable: true, description: 'fearShare minus the baseline fear share' })
  fearShareChange!: number | null;

  @Field(() => Float, { nullable: true })
  happyShareChange!: number | null;

  @Field(() => Float, { nullable: true })
  angerShareChange!: number | null;

  @Field(() => String, { nullable: true, description: 'The non-neutral emotion whose share rose most against the baseline' })
  risingEmotion!: string | null;

  @Field(() => [String], { description: 'Provenance: emotion model versions behind the shares' })
  modelVersions!: string[];

  @Field(() => [String], { description: 'Provenance: the recent articles behind the shares (at most 50)' })
  articleIds!: string[];
}
