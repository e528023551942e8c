import { ArrayMaxSize, IsOptional, IsUUID, MaxLength } from 'class-validator';
import { Arg, Authorized, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { Article, ArticleTicker, SentimentScore } from '../../entities';
import type { Services } from '../../services';
import type { GraphQLContext } from '../context';
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
}

@ObjectType()
class ArticleEdge {
  @Field()
  cursor!: string;

  @Field(() => Article)
  node!: Article;
}

@ObjectType()
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
  ): Promise<ArticleConnection> {
    const page = await ctx.services.articles.page(filter ?? {}, first, after);
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

  @FieldResolver(() => [ArticleTicker])
  tickers(@Root() article: Article, @Ctx() ctx: GraphQLContext): Promise<ArticleTicker[]> {
    return loaders(ctx).tickers.load(article.id);
  }

  @FieldResolver(() => SentimentScore, { nullable: true, description: 'The preferred score: the accurate tier when it has scored the article, else the fast tier, the lexicon only when nothing else exists; `tier` and `modelVersion` say which produced it.' })
  sentiment(@Root() article: Article, @Ctx() ctx: GraphQLContext): Promise<SentimentScore | null> {
    return loaders(ctx).sentiment.load(article.id);
  }
}
