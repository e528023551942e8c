import { MaxLength } from 'class-validator';
import { Arg, Authorized, Ctx, Field, ID, InputType, Int, Mutation, Query, Resolver } from 'type-graphql';
import { HistoricalSignal, SignalReplay } from '../../entities';
import type { GraphQLContext } from '../context';

@InputType({ description: 'Replay the signal rules point in time: at each daily bar close (and each article arrival when intraday), from what was published and priced by then.' })
class ReplaySignalsInput {
  @Field(() => [String]) tickers!: string[];
  @Field() from!: Date;
  @Field() to!: Date;
  @Field(() => Boolean, { nullable: true, defaultValue: false }) intraday?: boolean;
  @Field(() => String, { nullable: true, description: 'Prefer this sentiment model version; default the active model.' }) @MaxLength(100) modelVersion?: string;
}

@Resolver()
export class SignalHistoryResolver {
  @Authorized()
  @Mutation(() => SignalReplay, { description: 'Starts a replay workflow (chunked, resumable, idempotent); poll signalReplay(id) for progress.' })
  replaySignals(@Arg('input', () => ReplaySignalsInput) input: ReplaySignalsInput, @Ctx() ctx: GraphQLContext): Promise<SignalReplay> {
    return ctx.services.signalHistory.startReplay(input);
  }

  @Authorized()
  @Query(() => SignalReplay, { nullable: true })
  signalReplay(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<SignalReplay | null> {
    return ctx.services.signalHistory.getReplay(id);
  }

  @Authorized()
  @Query(() => [HistoricalSignal], { description: 'One replayed series, oldest first; default the running rules version and the most recently written model version.' })
  signalHistory(
    @Arg('ticker') ticker: string,
    @Arg('from', () => Date, { nullable: true }) from: Date | undefined,
    @Arg('to', () => Date, { nullable: true }) to: Date | undefined,
    @Arg('rulesVersion', () => String, { nullable: true }) rulesVersion: string | undefined,
    @Arg('modelVersion', () => String, { nullable: true }) modelVersion: string | undefined,
    @Arg('first', () => Int, { defaultValue: 200 }) first: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<HistoricalSignal[]> {
    return ctx.services.signalHistory.history({ ticker, from, to, rulesVersion, modelVersion, limit: first });
  }
}
