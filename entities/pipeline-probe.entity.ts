import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * An end-to-end check an operator can run: API -> Temporal workflow -> worker activity ->
 * PostgreSQL -> NOTIFY -> subscribers. `/ready` says the parts are reachable; a probe says they
 * work together.
 */
@ObjectType()
@Entity('pipeline_probes')
export class PipelineProbe {
  @Field(() => ID)
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Field()
  @Column({ type: 'text' })
  workflowId!: string;

  /** 'RUNNING' until the workflow's activity has written it, then 'COMPLETED'. */
  @Field()
  @Column({ type: 'text' })
  status!: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  note!: string | null;

  /** Which worker process ran the activity (host:pid), so operators see who did the work. */
  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  completedBy!: string | null;

  @Field()
  @CreateDateColumn({ type: 'timestamptz' })
  requestedAt!: Date;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}
