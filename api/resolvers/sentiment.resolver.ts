import { GraphQLJSON } from 'graphql-scalars';
import { Arg, Authorized, Ctx, Field, Float, ObjectType, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../context';

@ObjectType()
class ClassProbabilities {
  @Field(() => Float)
  negative!: number;

  @Field(() => Float)
  neutral!: number;

  @Field(() => Float)
  positive!: number;
}

@ObjectType()
class TextSentiment {
  @Field(() => String, { nullable: true })
  label!: string | null;

  @Field(() => Float, { nullable: true, description: 'In [-1, 1]: P(positive) - P(negative).' })
  score!: number | null;

  @Field(() => ClassProbabilities, { nullable: true })
  probabilities!: ClassProbabilities | null;

  @Field()
  modelVersion!: string;

  @Field(() => String, { nullable: true, description: 'fast, accurate or lexicon' })
  tier?: string;

  @Field(() => String, { nullable: true, description: 'Why the text was not scored (empty, no words, unsupported language).' })
  unscoredReason?: string;

  @Field(() => Boolean, { nullable: true })
  truncated?: boolean;
}

@ObjectType()
class SentimentModel {
  @Field()
  version!: string;

  @Field({ description: 'fast (hashed n-gram model) or accurate (pretrained encoder + heads)' })
  tier!: string;

  @Field()
  active!: boolean;

  @Field()
  createdAt!: string;

  @Field(() => GraphQLJSON, { nullable: true, description: 'Accuracy, macro-F1, per-class figures and confusion matrices per evaluation split.' })
  metrics!: unknown;
}

@Resolver()
export class SentimentResolver {
  @Authorized()
  @Query(() => TextSentiment, { description: 'Scores one text with the active model (or the lexicon when model_sentiment is off).' })
  scoreText(@Arg('text', () => String) text: string, @Ctx() ctx: GraphQLContext): Promise<TextSentiment> {
    return ctx.services.sentiment.scoreText(text);
  }

  @Authorized()
  @Query(() => [SentimentModel], { description: 'Shipped model versions with their evaluation metrics; one active version per tier.' })
  models(@Ctx() ctx: GraphQLContext): SentimentModel[] {
    return ctx.services.sentiment.models();
  }
}
