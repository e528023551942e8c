import { Arg, Authorized, Ctx, Field, FieldResolver, Float, Int, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { Article, EmotionProbabilities } from '../../entities';
import type { ArticleRow } from '../../services/article.service';
import type { EmotionInterval } from '../../services/emotion.service';
import type { GraphQLContext } from '../context';
import { BucketInterval } from './signal.resolver';

@ObjectType({ simpleResolvers: true, description: "The emotion of an article's title from the accurate tier's emotion head." })
class ArticleEmotions {
  @Field({ description: 'neutral, happy, sad, anger, disgust, surprise or fear: the most probable class.' })
  label!: string;

  @Field(() => EmotionProbabilities)
  probabilities!: EmotionProbabilities;

  @Field({ description: 'The emotion head version (its metadata names the accurate-tier encoder it reads).' })
  modelVersion!: string;
}

@ObjectType({ simpleResolvers: true, description: 'Articles per emotion in a bucket.' })
class EmotionCounts {
  @Field(() => Int) neutral!: number;
  @Field(() => Int) happy!: number;
  @Field(() => Int) sad!: number;
  @Field(() => Int) anger!: number;
  @Field(() => Int) disgust!: number;
  @Field(() => Int) surprise!: number;
  @Field(() => Int) fear!: number;
}

@ObjectType({ simpleResolvers: true, description: "Share of the bucket's articles labelled with each emotion (sums to 1)." })
class EmotionShares {
  @Field(() => Float) neutral!: number;
  @Field(() => Float) happy!: number;
  @Field(() => Float) sad!: number;
  @Field(() => Float) anger!: number;
  @Field(() => Float) disgust!: number;
  @Field(() => Float) surprise!: number;
  @Field(() => Float) fear!: number;
}

@ObjectType({ simpleResolvers: true })
class EmotionBucket {
  @Field()
  bucketStart!: Date;

  @Field(() => Int, { description: 'Articles about the ticker with an emotion score in the bucket.' })
  count!: number;

  @Field(() => EmotionCounts)
  counts!: EmotionCounts;

  @Field(() => EmotionShares)
  shares!: EmotionShares;

  @Field(() => EmotionProbabilities, { description: "Mean class probabilities over the bucket's articles." })
  meanProbabilities!: EmotionProbabilities;
}

/** One loader per request (the page's articles in one query). */
const loaders = new WeakMap<GraphQLContext, ReturnType<GraphQLContext['services']['emotions']['loader']>>();
function loader(ctx: GraphQLContext) {
  let l = loaders.get(ctx);
  if (!l) loaders.set(ctx, (l = ctx.services.emotions.loader()));
  return l;
}

@Resolver(() => Article)
export class EmotionResolver {
  @FieldResolver(() => ArticleEmotions, { nullable: true, description: 'Emotion of the title (newest emotion score); null until the accurate tier with an emotion head has scored it.' })
  emotions(@Root() article: ArticleRow, @Ctx() ctx: GraphQLContext): ArticleEmotions | null | Promise<ArticleEmotions | null> {
    return loader(ctx).value(article.id);
  }

  @Authorized()
  @Query(() => [EmotionBucket], { description: "Emotions of one ticker's articles over time: counts and shares per emotion per bucket (buckets without scored articles are left out)." })
  tickerEmotions(
    @Arg('ticker') ticker: string,
    @Arg('from') from: Date,
    @Arg('to') to: Date,
    @Arg('interval', () => BucketInterval, { defaultValue: BucketInterval.DAY }) interval: BucketInterval,
    @Ctx() ctx: GraphQLContext,
  ): Promise<EmotionBucket[]> {
    return ctx.services.emotions.tickerEmotions(ticker, from, to, interval as EmotionInterval);
  }
}
