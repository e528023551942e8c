import { IsUrl, Max, MaxLength, Min } from 'class-validator';
import { Arg, Authorized, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Feed, Role } from '../../entities';
import { MAX_POLL_SECONDS, MIN_POLL_SECONDS } from '../../services/feed.service';
import type { GraphQLContext } from '../context';
import { assertUuid } from '../validation';

@InputType()
class AddFeedInput {
  @Field()
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  @MaxLength(2000)
  url!: string;

  @Field()
  @MaxLength(200)
  name!: string;

  @Field(() => Int, { defaultValue: 300 })
  @Min(MIN_POLL_SECONDS)
  @Max(MAX_POLL_SECONDS)
  pollIntervalSeconds!: number;
}

@Resolver(() => Feed)
export class FeedResolver {
  @Authorized(Role.ADMIN)
  @Query(() => [Feed], { description: 'Every feed with its health: last success, last error, consecutive failures, articles ingested.' })
  feeds(@Ctx() ctx: GraphQLContext): Promise<Feed[]> {
    return ctx.services.feeds.list();
  }

  @Authorized(Role.ADMIN)
  @FieldResolver(() => Date, { nullable: true, description: "When the feed's schedule polls next (null while paused). A new or resumed feed is polled at once." })
  nextPollAt(@Root() feed: Feed, @Ctx() ctx: GraphQLContext): Promise<Date | null> {
    return ctx.services.feeds.nextPollAt(feed.id);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Feed, { description: 'Adds a feed and its Temporal Schedule, and polls it at once.' })
  addFeed(@Arg('input', () => AddFeedInput) input: AddFeedInput, @Ctx() ctx: GraphQLContext): Promise<Feed> {
    return ctx.services.feeds.add(input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Feed)
  pauseFeed(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Feed> {
    return ctx.services.feeds.setPaused(assertUuid(id), true);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Feed)
  resumeFeed(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Feed> {
    return ctx.services.feeds.setPaused(assertUuid(id), false);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Boolean, { description: 'Removes the feed and its schedule; its articles are kept.' })
  removeFeed(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    return ctx.services.feeds.remove(assertUuid(id));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => String, { description: 'Polls now; returns the workflow id (see it in the Temporal UI).' })
  ingestFeedNow(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<string> {
    return ctx.services.feeds.ingestNow(assertUuid(id));
  }
}
