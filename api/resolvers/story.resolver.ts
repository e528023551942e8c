import { Arg, Ctx, Authorized, Field, FieldResolver, ID, Int, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { Article } from '../../entities';
import type { GraphQLContext } from '../context';
import type { StoryRow } from '../../store/story-store';
import { SignalSourceArticle } from './signal.resolver';

@ObjectType({ simpleResolvers: true, description: 'One copy of a story: the article, and the feed (or "import") it came from.' })
class StoryArticle {
  @Field(() => ID) id!: string;
  @Field() title!: string;
  @Field({ description: 'Feed name, or "import" for pushed articles.' }) feed!: string;
  @Field(() => String, { nullable: true }) url!: string | null;
  @Field() publishedAt!: Date;
}

@ObjectType({ simpleResolvers: true, description: 'A story: the articles that tell it across feeds (near-duplicate titles and summaries within 48 h). Ticker sentiment and signals count it once.' })
class Story {
  @Field(() => ID, { description: 'The id of the story\'s earliest article.' }) id!: string;
  @Field({ description: 'When the first copy was published.' }) firstSeenAt!: Date;
  @Field(() => [StoryArticle], { description: 'Every copy, oldest first.' }) articles!: StoryArticle[];
}

/** Per request: the stories of every article the response asks about, loaded in one query. */
function storyLoader(ctx: GraphQLContext): (articleId: string) => Promise<StoryRow | null> {
  const bag = ctx as GraphQLContext & { storyLoader?: (articleId: string) => Promise<StoryRow | null> };
  if (bag.storyLoader) return bag.storyLoader;
  let pending: string[] = [];
  let batch: Promise<Map<string, StoryRow>> | null = null;
  bag.storyLoader = (articleId: string) => {
    pending.push(articleId);
    batch ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      const ids = pending;
      pending = [];
      batch = null;
      return ctx.services.stories.storiesOf(ids);
    });
    return batch.then((m) => m.get(articleId) ?? null);
  };
  return bag.storyLoader;
}

@Resolver(() => Article)
export class ArticleStoryResolver {
  @FieldResolver(() => Story, { nullable: true, description: 'The story this article tells, with every copy of it across feeds.' })
  story(@Root() article: Pick<Article, 'id'>, @Ctx() ctx: GraphQLContext): Promise<StoryRow | null> {
    return storyLoader(ctx)(article.id);
  }
}

@Resolver(() => SignalSourceArticle)
export class SignalSourceStoryResolver {
  @FieldResolver(() => Story, { nullable: true, description: 'The story this source article tells: every feed that carried it.' })
  story(@Root() article: Pick<SignalSourceArticle, 'id'>, @Ctx() ctx: GraphQLContext): Promise<StoryRow | null> {
    return storyLoader(ctx)(article.id);
  }
}

@Resolver()
export class StoryResolver {
  @Authorized()
  @Query(() => [Story], { description: 'Stories first seen in [from, to), newest first, each with every article that tells it.' })
  stories(
    @Arg('from') from: Date,
    @Arg('to') to: Date,
    @Arg('ticker', () => String, { nullable: true }) ticker: string | null,
    @Arg('minArticles', () => Int, { nullable: true, defaultValue: 1, description: '2 lists only stories carried by more than one article.' }) minArticles: number,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<StoryRow[]> {
    return ctx.services.stories.stories({ from, to, ticker, minArticles, first });
  }
}
