import { Arg, Authorized, Ctx, Field, ID, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { ApiKey, Role, User } from '../../entities';
import { unauthenticated } from '../auth/auth';
import type { GraphQLContext, Principal } from '../context';
import { apiError } from '../errors';
import { assertUuid } from '../validation';

@ObjectType({ description: 'A new key. `key` is shown this once and cannot be retrieved later.' })
class CreatedApiKey {
  @Field()
  key!: string;

  @Field(() => ApiKey)
  apiKey!: ApiKey;
}

/** @Authorized has already run, so a principal is there; this narrows the type. */
function me(ctx: GraphQLContext): Principal {
  if (!ctx.principal) throw unauthenticated(ctx.authFailure);
  return ctx.principal;
}

@Resolver()
export class AccessResolver {
  @Authorized()
  @Query(() => User, { description: 'The user owning the calling API key.' })
  me(@Ctx() ctx: GraphQLContext): User {
    return me(ctx).user;
  }

  @Authorized()
  @Query(() => [ApiKey], { description: 'My API keys (never their secrets).' })
  apiKeys(@Ctx() ctx: GraphQLContext): Promise<ApiKey[]> {
    return ctx.services.apiKeys.list(me(ctx).userId);
  }

  @Mutation(() => CreatedApiKey, { description: 'Exchanges email + password for a key; the only call that needs no key.' })
  async createApiKeyWithPassword(
    @Arg('email') email: string,
    @Arg('password') password: string,
    @Arg('name') name: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CreatedApiKey> {
    // Throttled per email and per client address (RATE_LIMITED), bcrypt work bounded per process.
    const user = await ctx.services.logins.verify(email, password, ctx.clientAddress ?? null);
    if (!user) throw apiError('UNAUTHENTICATED', 'wrong email or password, or the user is deactivated');
    return ctx.services.apiKeys.create(user.id, name, null);
  }

  @Authorized()
  @Mutation(() => CreatedApiKey)
  createApiKey(
    @Arg('name') name: string,
    @Arg('expiresAt', () => Date, { nullable: true }) expiresAt: Date | null | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CreatedApiKey> {
    return ctx.services.apiKeys.create(me(ctx).userId, name, expiresAt ?? null);
  }

  @Authorized()
  @Mutation(() => ApiKey, { description: 'Revokes one of my keys (admins: any key); its live sockets close within seconds.' })
  revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<ApiKey> {
    const p = me(ctx);
    return ctx.services.apiKeys.revoke({ userId: p.userId, role: p.user.role }, assertUuid(id));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => User)
  createUser(
    @Arg('email') email: string,
    @Arg('password') password: string,
    @Arg('role', () => Role, { defaultValue: Role.USER }) role: Role,
    @Ctx() ctx: GraphQLContext,
  ): Promise<User> {
    return ctx.services.users.create(email, password, role);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => User, { description: 'Deactivates a user; their keys stop working at once.' })
  deactivateUser(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<User> {
    return ctx.services.users.deactivate(assertUuid(id));
  }
}
