import { Field, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn } from 'typeorm';

/*
 * The columns every long-running job table repeats, in one home. They are abstract base classes
 * rather than TypeORM embedded columns (`@Column(() => X, { prefix: false })`): an embedded class
 * nests the TypeScript property (run.workflowId), which would ripple through store/, services/,
 * resolvers and the dashboard, while a base class keeps the property paths, the column names and
 * the GraphQL fields exactly as they were. TypeORM inherits columns from a parent class;
 * type-graphql inherits fields from a parent @ObjectType, and (2.x) emits only the types the
 * resolvers reach, so neither base appears in the schema. Neither is an entity (no @Entity).
 */

/** When a job was created and finished, and why it failed (signal replays have only these). */
@ObjectType()
export abstract class RunLifecycleColumns {
  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Field()
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}

/**
 * A job a user starts and a Temporal workflow runs (backtests, parameter sweeps, portfolio
 * backtests): the lifecycle plus the workflow that runs it and the user who asked for it.
 */
@ObjectType()
export abstract class RunColumns extends RunLifecycleColumns {
  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  workflowId!: string | null;

  /** The user id that started the run; not exposed as a GraphQL field. */
  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;
}
