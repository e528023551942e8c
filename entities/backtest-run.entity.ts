import { GraphQLJSON } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { RunColumns } from './run-columns';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export enum BacktestStatus {
  PENDING = 'PENDING',
  RUNNING = 'RUNNING',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(BacktestStatus, { name: 'BacktestStatus' });

@ObjectType()
@Entity('backtest_runs')
@Index('backtest_runs_created_idx', ['createdAt'])
export class BacktestRun extends RunColumns {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field()
  @Column({ type: 'text' })
  name!: string;

  @Field(() => BacktestStatus)
  @Column({ type: 'text' })
  status!: BacktestStatus;

  /** Strategy, ticker, range, costs, slippage, sizing, permutations: everything to rerun it. */
  @Field(() => GraphQLJSON)
  @Column({ type: 'jsonb' })
  params!: Record<string, unknown>;

  @Field(() => GraphQLJSON, { nullable: true })
  @Column({ type: 'jsonb', nullable: true })
  metrics!: Record<string, unknown> | null;

  /** Downsampled [time ms, equity] pairs. */
  @Field(() => GraphQLJSON, { nullable: true })
  @Column({ type: 'jsonb', nullable: true })
  equityCurve!: Array<[number, number]> | null;

  @Field(() => Float, { nullable: true })
  @Column({ type: 'double precision', nullable: true })
  pValue!: number | null;

  @Field(() => Int)
  @Column({ type: 'integer', default: 0 })
  permutationsDone!: number;

  @Field(() => Int)
  @Column({ type: 'integer', default: 0 })
  permutationsTotal!: number;
}
