import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { PipelineProbe } from '../../entities';
import { ALL_KEY, Topic } from '../../events/topics';
import type { GraphQLContext } from '../context';
import { apiError } from '../errors';
import { assertUuid } from '../validation';

@InputType()
class RunPipelineProbeInput {
  @Field(() => String, { nullable: true })
  @MaxLength(200)
  note?: string;
}

@Resolver(() => PipelineProbe)
export class PipelineProbeResolver {
  @Authorized()
  @Mutation(() => PipelineProbe, { description: 'Starts an end-to-end probe: API -> Temporal -> worker -> PostgreSQL -> subscribers.' })
  runPipelineProbe(
    @Arg('input', () => RunPipelineProbeInput, { nullable: true }) input: RunPipelineProbeInput | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<PipelineProbe> {
    return ctx.services.pipelineProbes.start(input?.note ?? null);
  }

  @Authorized()
  @Query(() => PipelineProbe, { nullable: true })
  pipelineProbe(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<PipelineProbe | null> {
    return ctx.services.pipelineProbes.find(assertUuid(id));
  }

  @Authorized()
  @Subscription(() => PipelineProbe, {
    description: 'Fires when a probe workflow has completed.',
    subscribe: ({ context }) => (context as GraphQLContext).services.hub.subscribe([{ topic: Topic.PIPELINE_PROBE_COMPLETED, key: ALL_KEY }]),
  })
  async pipelineProbeCompleted(@Root() event: { id: string }, @Ctx() ctx: GraphQLContext): Promise<PipelineProbe> {
    const probe = await ctx.services.pipelineProbes.find(event.id);
    if (!probe) throw apiError('NOT_FOUND', `probe ${event.id} no longer exists`);
    return probe;
  }
}
