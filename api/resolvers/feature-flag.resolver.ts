import { Arg, Authorized, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import { FeatureFlag, FeatureFlagAudit, Role } from '../../entities';
import type { GraphQLContext } from '../context';

@Resolver(() => FeatureFlag)
export class FeatureFlagResolver {
  @Authorized()
  @Query(() => [FeatureFlag])
  featureFlags(@Ctx() ctx: GraphQLContext): Promise<FeatureFlag[]> {
    return ctx.services.featureFlags.list();
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => FeatureFlag, { description: 'Creates or updates a flag; audited. Live everywhere within 10 s.' })
  setFeatureFlag(
    @Arg('key') key: string,
    @Arg('enabled') enabled: boolean,
    @Arg('description', () => String, { nullable: true }) description: string | null | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<FeatureFlag> {
    return ctx.services.featureFlags.set(key, enabled, description ?? undefined, ctx.principal!.userId);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => FeatureFlag)
  toggleFeatureFlag(@Arg('key') key: string, @Ctx() ctx: GraphQLContext): Promise<FeatureFlag> {
    return ctx.services.featureFlags.toggle(key, ctx.principal!.userId);
  }

  @Authorized(Role.ADMIN)
  @Query(() => [FeatureFlagAudit], { description: 'Flag changes, newest first.' })
  featureFlagAudit(
    @Arg('key', () => String, { nullable: true }) key: string | null | undefined,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<FeatureFlagAudit[]> {
    return ctx.services.featureFlags.audit(key ?? undefined, first);
  }
}
