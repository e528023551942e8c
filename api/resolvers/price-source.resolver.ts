import { ArrayMaxSize, MaxLength } from 'class-validator';
import { Arg, Authorized, Ctx, Field, Float, ID, InputType, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { PriceFormat, PriceSource, Role } from '../../entities';
import type { GraphQLContext } from '../context';
import { assertUuid } from '../validation';

@InputType()
class AddPriceSourceInput {
  @Field() @MaxLength(200) name!: string;
  @Field({ description: 'A daily-bar CSV URL with {ticker} or {ticker_lower}, e.g. https://stooq.com/q/d/l/?s={ticker_lower}.us&i=d' }) @MaxLength(2000) urlTemplate!: string;
  @Field(() => PriceFormat, { nullable: true, defaultValue: PriceFormat.AUTO }) format?: PriceFormat;
  @Field(() => [String], { description: 'Tickers to follow.' }) @ArrayMaxSize(500) tickers!: string[];
  @Field(() => String, { nullable: true, description: 'Cron (UTC); default 15 22 * * 1-5, after the US close.' }) @MaxLength(100) cron?: string;
  @Field(() => String, { nullable: true, defaultValue: '1d' }) interval?: string;
}

@ObjectType({ simpleResolvers: true })
class ComputedSignal {
  @Field(() => ID) id!: string;
  @Field() ticker!: string;
  @Field() type!: string;
  @Field(() => Float) confidence!: number;
  @Field({ description: 'false when the same signal (ticker, asOf, params) already existed' }) created!: boolean;
}

@ObjectType({ simpleResolvers: true })
class SkippedTicker {
  @Field() ticker!: string;
  @Field() reason!: string;
}

@ObjectType()
class ComputeSignalsReport {
  @Field() asOf!: string;
  @Field() workflowId!: string;
  @Field(() => [ComputedSignal]) signals!: ComputedSignal[];
  @Field(() => [SkippedTicker]) skipped!: SkippedTicker[];
}

@Resolver(() => PriceSource)
export class PriceSourceResolver {
  @Authorized(Role.ADMIN)
  @Query(() => [PriceSource], { description: 'Price sources with their health: last run, last error, bars stored.' })
  priceSources(@Ctx() ctx: GraphQLContext): Promise<PriceSource[]> {
    return ctx.services.priceSources.list();
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => PriceSource, { description: 'Adds a price source and its Temporal Schedule (new bars after the close, then the changed tickers\' signals).' })
  addPriceSource(@Arg('input', () => AddPriceSourceInput) input: AddPriceSourceInput, @Ctx() ctx: GraphQLContext): Promise<PriceSource> {
    return ctx.services.priceSources.add(input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => PriceSource, { description: 'Replaces the tickers a source follows.' })
  setPriceSourceTickers(@Arg('id', () => ID) id: string, @Arg('tickers', () => [String]) tickers: string[], @Ctx() ctx: GraphQLContext): Promise<PriceSource> {
    return ctx.services.priceSources.setTickers(assertUuid(id), tickers);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Boolean)
  removePriceSource(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    return ctx.services.priceSources.remove(assertUuid(id));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => String, { description: 'Fetches the source now; returns the workflow id.' })
  fetchPricesNow(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<string> {
    return ctx.services.priceSources.fetchNow(assertUuid(id));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => ComputeSignalsReport, { description: 'Computes these tickers\' signals as of asOf (default now) and waits for the result.' })
  computeSignals(
    @Arg('tickers', () => [String]) tickers: string[],
    @Arg('asOf', () => Date, { nullable: true }) asOf: Date | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ComputeSignalsReport> {
    return ctx.services.priceSources.computeSignals(tickers, asOf);
  }
}
