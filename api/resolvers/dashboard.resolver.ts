/**
 * Reads the dashboard needs beyond the rest of the API: a ticker's stored price bars (candles)
 * and, for operators, the users and any user's API keys (never their secrets).
 */
import { Arg, Authorized, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import { ApiKey, PriceBar, Role, User } from '../../entities';
import type { GraphQLContext } from '../context';
import { assertUuid } from '../validation';

@Resolver()
export class DashboardResolver {
  @Authorized()
  @Query(() => [PriceBar], { description: 'Stored bars of one ticker in [from, to], oldest first (at most `first`, the newest ones).' })
  async priceBars(
    @Arg('ticker') ticker: string,
    @Arg('from') from: Date,
    @Arg('to') to: Date,
    @Arg('interval', () => String, { defaultValue: '1d' }) interval: string,
    @Arg('first', () => Int, { defaultValue: 2000 }) first: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<PriceBar[]> {
    return ctx.services.prices.bars({ ticker, from, to, interval, limit: first });
  }

  @Authorized(Role.ADMIN)
  @Query(() => [User], { description: 'Every user, newest first.' })
  users(@Arg('first', () => Int, { defaultValue: 500 }) first: number, @Ctx() ctx: GraphQLContext): Promise<User[]> {
    return ctx.services.users.list(first);
  }

  @Authorized(Role.ADMIN)
  @Query(() => [ApiKey], { description: "Any user's API keys (never their secrets); revoke one with revokeApiKey." })
  userApiKeys(@Arg('userId', () => ID) userId: string, @Ctx() ctx: GraphQLContext): Promise<ApiKey[]> {
    return ctx.services.apiKeys.list(assertUuid(userId));
  }
}
