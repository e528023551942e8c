import { ArrayMaxSize, Max, MaxLength, Min } from 'class-validator';
import { Arg, Authorized, Ctx, Field, FieldResolver, Float, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { SignalType, WebhookDelivery, WebhookDeliveryAttempt, WebhookDeliveryStatus, WebhookEndpoint, WebhookKind } from '../../entities';
import type { WebhookActor } from '../../services/webhook.service';
import { unauthenticated } from '../auth/auth';
import type { GraphQLContext } from '../context';
import { PageInfo } from '../types/page-info';
import { assertUuid } from '../validation';

@InputType({ description: 'Where signals go and which ones: tickers (null: all), types (null: all), minimum confidence.' })
class CreateWebhookEndpointInput {
  @Field() @MaxLength(2000) url!: string;
  @Field(() => String, { nullable: true }) @MaxLength(200) description?: string;
  @Field(() => [String], { nullable: true }) @ArrayMaxSize(500) tickers?: string[];
  @Field(() => [SignalType], { nullable: true }) types?: SignalType[];
  @Field(() => Float, { nullable: true, defaultValue: 0 }) @Min(0) @Max(1) minConfidence?: number;
  @Field(() => WebhookKind, { nullable: true, defaultValue: WebhookKind.SIGNALS, description: 'OPERATOR (admins): feed failure alerts.' }) kind?: WebhookKind;
}

@InputType()
class UpdateWebhookEndpointInput {
  @Field(() => String, { nullable: true }) @MaxLength(2000) url?: string;
  @Field(() => String, { nullable: true }) @MaxLength(200) description?: string;
  @Field(() => [String], { nullable: true, description: 'An empty list means every ticker.' }) @ArrayMaxSize(500) tickers?: string[];
  @Field(() => [SignalType], { nullable: true, description: 'An empty list means every type.' }) types?: SignalType[];
  @Field(() => Float, { nullable: true }) @Min(0) @Max(1) minConfidence?: number;
  @Field(() => Boolean, { nullable: true, description: 'true re-enables a disabled endpoint (its failure streak restarts).' }) enabled?: boolean;
}

@ObjectType({ description: 'The signing secret is shown here once; store it, it cannot be read again.' })
class WebhookEndpointWithSecret {
  @Field(() => WebhookEndpoint) endpoint!: WebhookEndpoint;
  @Field() secret!: string;
}

@ObjectType({ simpleResolvers: true })
class WebhookDeliveryEdge {
  @Field() cursor!: string;
  @Field(() => WebhookDelivery) node!: WebhookDelivery;
}

@ObjectType({ simpleResolvers: true })
class WebhookDeliveryConnection {
  @Field(() => [WebhookDeliveryEdge]) edges!: WebhookDeliveryEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

function actor(ctx: GraphQLContext): WebhookActor {
  if (!ctx.principal) throw unauthenticated(ctx.authFailure);
  return { userId: ctx.principal.userId, role: ctx.principal.role };
}

/** Present only what was given: null/absent fields of an update leave the endpoint as it is. */
function defined<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}

@Resolver(() => WebhookDelivery)
export class WebhookResolver {
  @Authorized()
  @Query(() => [WebhookEndpoint], { description: 'Your webhook endpoints (admins: everyone\'s), with health: failures in a row, why disabled.' })
  webhookEndpoints(@Ctx() ctx: GraphQLContext): Promise<WebhookEndpoint[]> {
    return ctx.services.webhooks.list(actor(ctx));
  }

  @Authorized()
  @Query(() => WebhookEndpoint)
  webhookEndpoint(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<WebhookEndpoint> {
    return ctx.services.webhooks.get(assertUuid(id), actor(ctx));
  }

  @Authorized()
  @Mutation(() => WebhookEndpointWithSecret, { description: 'Registers an endpoint; matching signals are POSTed to it, signed with the secret returned here (once).' })
  createWebhookEndpoint(@Arg('input', () => CreateWebhookEndpointInput) input: CreateWebhookEndpointInput, @Ctx() ctx: GraphQLContext): Promise<WebhookEndpointWithSecret> {
    return ctx.services.webhooks.create(input, actor(ctx));
  }

  @Authorized()
  @Mutation(() => WebhookEndpoint)
  updateWebhookEndpoint(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateWebhookEndpointInput) input: UpdateWebhookEndpointInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<WebhookEndpoint> {
    return ctx.services.webhooks.update(assertUuid(id), defined(input), actor(ctx));
  }

  @Authorized()
  @Mutation(() => WebhookEndpointWithSecret, { description: 'A new signing secret (shown once); the old one stops working at once.' })
  rotateWebhookSecret(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<WebhookEndpointWithSecret> {
    return ctx.services.webhooks.rotateSecret(assertUuid(id), actor(ctx));
  }

  @Authorized()
  @Mutation(() => Boolean)
  deleteWebhookEndpoint(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    return ctx.services.webhooks.remove(assertUuid(id), actor(ctx));
  }

  @Authorized()
  @Query(() => WebhookDeliveryConnection, { description: 'Deliveries to your endpoints, newest first, each with its attempts.' })
  async webhookDeliveries(
    @Arg('endpointId', () => ID, { nullable: true }) endpointId: string | undefined,
    @Arg('status', () => WebhookDeliveryStatus, { nullable: true }) status: WebhookDeliveryStatus | undefined,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<WebhookDeliveryConnection> {
    const page = await ctx.services.webhooks.deliveries(actor(ctx), { endpointId: endpointId ? assertUuid(endpointId, 'endpointId') : undefined, status }, first, after);
    return { edges: page.deliveries.map((node, i) => ({ node, cursor: page.cursors[i] })), pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
  }

  @Authorized()
  @Query(() => WebhookDelivery)
  webhookDelivery(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<WebhookDelivery> {
    return ctx.services.webhooks.delivery(assertUuid(id), actor(ctx));
  }

  @Authorized()
  @Mutation(() => WebhookDelivery, { description: 'Sends a delivery\'s event again, as a new delivery (new id) with the same data.' })
  replayWebhookDelivery(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<WebhookDelivery> {
    return ctx.services.webhooks.replay(assertUuid(id), actor(ctx));
  }

  @FieldResolver(() => [WebhookDeliveryAttempt], { description: 'Every HTTP attempt: status code, latency, error.' })
  attempts(@Root() delivery: WebhookDelivery, @Ctx() ctx: GraphQLContext): Promise<WebhookDeliveryAttempt[]> {
    return ctx.services.webhooks.attempts(delivery.id);
  }

  @FieldResolver(() => String, { description: 'The event data as JSON text (the body\'s "data").' })
  payloadJson(@Root() delivery: WebhookDelivery): string {
    return JSON.stringify(delivery.payload);
  }
}
