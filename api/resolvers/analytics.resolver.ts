import { Arg, Authorized, Ctx, Field, Float, Int, ObjectType, Query, Resolver, registerEnumType } from 'type-graphql';
import type { GraphQLContext } from '../context';

enum CorrelationOf {
  RETURNS = 'RETURNS',
  SENTIMENT = 'SENTIMENT',
}
registerEnumType(CorrelationOf, { name: 'CorrelationOf', description: 'RETURNS: daily log returns of the daily bars; SENTIMENT: daily relevance-weighted mean article sentiment.' });

@ObjectType({ simpleResolvers: true })
class CorrelationMatrixResult {
  @Field(() => [String], { description: 'Row and column order of the matrix (normalised symbols).' })
  tickers!: string[];

  @Field(() => CorrelationOf)
  of!: CorrelationOf;

  @Field()
  from!: Date;

  @Field()
  to!: Date;

  @Field(() => [[Float]], { nullable: 'items', description: 'Pearson correlation over the days both tickers have a value; null with fewer than 3 shared days or no variation.' })
  matrix!: (number | null)[][];

  @Field(() => [[Int]], { description: 'Shared days behind each entry.' })
  observations!: number[][];
}

@ObjectType({ simpleResolvers: true })
class SectorSentiment {
  @Field({ description: 'GICS sector (S&P 500 list, or the sector an admin gave an instrument).' })
  sector!: string;

  @Field(() => Int)
  articles!: number;

  @Field(() => Int)
  tickers!: number;

  @Field(() => Float, { nullable: true, description: 'Relevance-weighted mean sentiment score in [-1, 1].' })
  meanScore!: number | null;

  @Field(() => Float)
  positiveShare!: number;

  @Field(() => Float)
  negativeShare!: number;
}

@Resolver()
export class AnalyticsResolver {
  @Authorized()
  @Query(() => CorrelationMatrixResult, { description: 'Correlation matrix of the tickers over [from, to].' })
  correlation(
    @Arg('tickers', () => [String]) tickers: string[],
    @Arg('from') from: Date,
    @Arg('to') to: Date,
    @Arg('of', () => CorrelationOf, { defaultValue: CorrelationOf.RETURNS }) of: CorrelationOf,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CorrelationMatrixResult> {
    return ctx.services.analytics.correlation(tickers, from, to, of) as Promise<CorrelationMatrixResult>;
  }

  @Authorized()
  @Query(() => [SectorSentiment], { description: 'Article sentiment by GICS sector over [from, to).' })
  sectorSentiment(@Arg('from') from: Date, @Arg('to') to: Date, @Ctx() ctx: GraphQLContext): Promise<SectorSentiment[]> {
    return ctx.services.analytics.sectorSentiment(from, to);
  }
}
