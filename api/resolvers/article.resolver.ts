import { ArrayMaxSize, IsOptional, IsUUID, MaxLength } from 'class-validator';
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Authorized, Ctx, Field, FieldResolver, ID, Info, InputType, Int, Mutation, ObjectType, Query, Resolver, Root, Subscription } from 'type-graphql';
import { Topic } from '../../events/topics';
import { apiError } from '../errors';
import { Article, ArticleTicker, SentimentScore } from '../../entities';
import type { Services } from '../../services';
import type { ArticleRow, ArticleTickerRow, SentimentScoreRow } from '../../services/article.service';
import type { GraphQLContext } from '../context';
import { selectedFields } from '../selection';
import { PageInfo } from '../types/page-info';
import { assertUuid } from '../validation';

@InputType()
class ArticleFilterInput {
  @Field(() => [String], { nullable: true })
  @ArrayMaxSize(50)
  tickers?: string[];

  @Field(() => Date, { nullable: true })
  from?: Date;

  @Field(() => Date, { nullable: true })
  to?: Date;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  feedId?: string;

  @Field(() => String, { nullable: true })
  @MaxLength(200)
  search?: string;

  @Field(() => [String], { nullable: true, description: 'Articles with any of these feed categories (case-insensitive).' })
  @ArrayMaxSize(20)
  @MaxLength(100, { each: true })
  categories?: string[];

  @Field(() => String, { nullable: true, description: 'Articles by this author (case-insensitive, exact).' })
  @MaxLength(200)
  author?: string;
}

@ObjectType({ simpleResolvers: true })
class ArticleEdge {
  @Field()
  cursor!: string;

  @Field(() => Article)
  node!: ArticleRow;
}

@ObjectType({ simpleResolvers: true })
class ArticleConnection {
  @Field(() => [ArticleEdge])
  edges!: ArticleEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@InputType()
class ImportArticleInput {
  @Field(() => String, { nullable: true })
  @MaxLength(2000)
  title?: string;

  @Field(() => String, { nullable: true })
  @MaxLength(2000)
  url?: string;

  @Field(() => String, { nullable: true })
  @MaxLength(500)
  guid?: string;

  @Field(() => String, { nullable: true })
  @MaxLength(20000)
  summary?: string;

  @Field(() => String, { nullable: true, description: 'RFC 822 or ISO 8601; missing means now (flagged as estimated)' })
  @MaxLength(100)
  publishedAt?: string;

  @Field(() => String, { nullable: true })
  @MaxLength(200)
  author?: string;

  @Field(() => [String], { nullable: true })
  @ArrayMaxSize(20)
  @MaxLength(100, { each: true })
  categories?: string[];
}

@ObjectType()
class ImportError {
  @Field(() => Int)
  index!: number;

  @Field()
  reason!: string;
}

@ObjectType()
class ImportArticlesResult {
  @Field(() => [ID])
  insertedIds!: string[];

  @Field(() => Int)
  duplicates!: number;

  @Field(() => [ImportError])
  errors!: ImportError[];
}

/** Article fields resolved below rather than read from the row, and the row fields they read (the id, always read). */
const ARTICLE_COMPUTED_FIELDS: ReadonlyMap<string, readonly string[]> = new Map([
  ['tickers', []],
  ['sentiment', []],
  ['emotions', []],
]);
const NOTHING_COMPUTED: ReadonlyMap<string, readonly string[]> = new Map();

/** DataLoaders live as long as one request's context. */
const loadersByContext = new WeakMap<GraphQLContext, ReturnType<Services['articles']['loaders']>>();
function loaders(ctx: GraphQLContext) {
  let l = loadersByContext.get(ctx);
  if (!l) loadersByContext.set(ctx, (l = ctx.services.articles.loaders()));
  return l;
}

@Resolver(() => Article)
export class ArticleResolver {
  @Authorized()
  @Query(() => ArticleConnection, { description: 'Newest first; pass pageInfo.endCursor as `after` for the next page.' })
  async articles(
    @Arg('filter', () => ArticleFilterInput, { nullable: true }) filter: ArticleFilterInput | undefined,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | undefined,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ArticleConnection> {
    // Only the columns the selection reads (e.g. no summary when no one asked for it).
    const page = await ctx.services.articles.page(filter ?? {}, first, after, selectedFields(info, ['edges', 'node'], ARTICLE_COMPUTED_FIELDS));
    // The page's tickers and scores in one batch now, so each article's field resolvers answer
    // with plain values (the same loaders and columns they would use).
    const node = selectedFields(info, ['edges', 'node'], NOTHING_COMPUTED);
    const ids = page.articles.map((a) => a.id);
    const l = loaders(ctx);
    await Promise.all([
      node?.has('tickers') && l.tickers(selectedFields(info, ['edges', 'node', 'tickers'], NOTHING_COMPUTED)).loadMany(ids),
      node?.has('sentiment') && l.sentiment(selectedFields(info, ['edges', 'node', 'sentiment'], NOTHING_COMPUTED)).loadMany(ids),
    ]);
    return {
      edges: page.articles.map((node, i) => ({ node, cursor: page.cursors[i] })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
    };
  }

  @Authorized()
  @Query(() => Article, { nullable: true })
  article(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Article | null> {
    return ctx.services.articles.find(assertUuid(id));
  }

  @Authorized()
  @Mutation(() => ImportArticlesResult, { description: 'Push articles from sources that are not feeds; good items are kept, bad ones reported by index.' })
  importArticles(@Arg('items', () => [ImportArticleInput]) items: ImportArticleInput[], @Ctx() ctx: GraphQLContext): Promise<ImportArticlesResult> {
    return ctx.services.articles.import(items);
  }

  @Authorized()
  @Query(() => String, { description: 'Articles for a filter as CSV (header row first, at most 10,000 rows).' })
  articlesCsv(
    @Arg('filter', () => ArticleFilterInput, { nullable: true }) filter: ArticleFilterInput | undefined,
    @Arg('limit', () => Int, { defaultValue: 1000 }) limit: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<string> {
    return ctx.services.articles.articlesCsv(filter ?? {}, limit);
  }

  @Authorized()
  @Subscription(() => Article, {
    description: 'New articles that mention any of the given tickers (1 to 100), each article once, as soon as it is stored.',
    subscribe: ({ args, context }) => {
      const ctx = context as GraphQLContext;
      const tickers = [...new Set((args.tickers as string[]).map((t) => t.trim().toUpperCase()).filter(Boolean))];
      if (tickers.length < 1 || tickers.length > 100) throw apiError('BAD_USER_INPUT', 'subscribe to 1 to 100 tickers', { field: 'tickers' });
      // An article about two of these tickers arrives once per ticker: pass on the first only.
      const seen = new Set<string>();
      return ctx.services.hub.subscribe(
        tickers.map((key) => ({ topic: Topic.ARTICLE_ADDED as const, key })),
        {
          accept: (e) => {
            if (seen.has(e.id)) return false;
            seen.add(e.id);
            if (seen.size > 10_000) seen.delete(seen.values().next().value as string);
            return true;
          },
        },
      );
    },
  })
  async articleAdded(@Root() event: { id: string }, @Arg('tickers', () => [String]) _tickers: string[], @Ctx() ctx: GraphQLContext): Promise<Article> {
    const article = await ctx.services.articles.find(event.id);
    if (!article) throw apiError('NOT_FOUND', `article ${event.id} no longer exists`);
    return article;
  }

  @FieldResolver(() => [ArticleTicker])
  tickers(@Root() article: ArticleRow, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo): ArticleTickerRow[] | Promise<ArticleTickerRow[]> {
    return loaders(ctx).tickers(selectedFields(info, [], NOTHING_COMPUTED)).value(article.id);
  }

  @FieldResolver(() => SentimentScore, { nullable: true, description: 'The preferred score: the accurate tier when it has scored the article, else the fast tier, the lexicon only when nothing else exists; `tier` and `modelVersion` say which produced it.' })
  sentiment(@Root() article: ArticleRow, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo): SentimentScoreRow | null | Promise<SentimentScoreRow | null> {
    return loaders(ctx).sentiment(selectedFields(info, [], NOTHING_COMPUTED)).value(article.id);
  }
}
