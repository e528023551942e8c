import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { RunColumns } from './run-columns';
import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

export enum SweepKind {
  SWEEP = 'SWEEP',
  WALK_FORWARD = 'WALK_FORWARD',
}
registerEnumType(SweepKind, { name: 'SweepKind' });

/**
 * A parameter sweep (one backtest per configuration of a grid, ranked, with a best-of-N
 * permutation test) or a walk-forward analysis over the same kind of grid.
 */
@ObjectType()
@Entity('parameter_sweeps')
@Index('parameter_sweeps_created_idx', ['createdAt'])
export class ParameterSweep extends RunColumns {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field(() => SweepKind)
  @Column({ type: 'text' })
  kind!: SweepKind;

  @Field()
  @Column({ type: 'text' })
  name!: string;

  /** PENDING, RUNNING, COMPLETED, FAILED, CANCELLED (as backtests). */
  @Field()
  @Column({ type: 'text' })
  status!: string;

  /** Base backtest params, ranges, statistic, permutations, seed, concurrency and the expanded configurations. */
  @Column({ type: 'jsonb' })
  params!: Record<string, unknown>;

  @Field(() => Int)
  @Column({ type: 'integer', default: 0 })
  configsTotal!: number;

  @Field(() => Int, { nullable: true })
  @Column({ type: 'integer', nullable: true })
  bestIndex!: number | null;

  /** Best-of-N permutation p-value: the best configuration against the whole search. */
  @Field(() => Float, { nullable: true })
  @Column({ type: 'double precision', nullable: true })
  pValue!: number | null;

  /** The best configuration's own permutation p-value (uncorrected; for comparison only). */
  @Field(() => Float, { nullable: true })
  @Column({ type: 'double precision', nullable: true })
  pValueBestAlone!: number | null;

  @Field(() => Int)
  @Column({ type: 'integer', default: 0 })
  permutationsDone!: number;

  /** Walk-forward: windows, stitched out-of-sample equity and its metrics. */
  @Column({ type: 'jsonb', nullable: true })
  result!: Record<string, unknown> | null;
}

/** One configuration's backtest in a sweep; written once (a retried child finds it). */
@Entity('parameter_sweep_results')
@Index('parameter_sweep_results_rank_idx', ['sweepId', 'statistic'])
export class ParameterSweepResult {
  @PrimaryColumn({ type: 'uuid' })
  sweepId!: string;

  @PrimaryColumn({ type: 'integer' })
  configIndex!: number;

  /** The permutation statistic of the real ordering (what the ranking and the test use). */
  @Column({ type: 'double precision' })
  statistic!: number;

  @Column({ type: 'jsonb' })
  metrics!: Record<string, unknown>;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  computedAt!: Date;
}
