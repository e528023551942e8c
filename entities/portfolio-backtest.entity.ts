import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { BacktestStatus } from './backtest-run.entity';

/**
 * One portfolio backtest run (issue 23): params to rerun it, its typed result once computed, and
 * its progress. The result's parts are exposed as typed GraphQL fields by the resolver.
 */
@ObjectType({ description: 'A portfolio backtest: many tickers, shared cash, periodic rebalancing to a ranked selection.' })
@Entity('portfolio_backtests')
@Index('portfolio_backtests_created_idx', ['createdAt'])
export class PortfolioBacktest {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field()
  @Column({ type: 'text' })
  name!: string;

  @Field(() => BacktestStatus)
  @Column({ type: 'text' })
  status!: BacktestStatus;

  /** PortfolioBacktestParams (domain/backtest/portfolio-contracts.ts). */
  @Column({ type: 'jsonb' })
  params!: Record<string, unknown>;

  /** Metrics, benchmark metrics, per-ticker results, turnover, warnings (activities/portfolio-backtest.activities.ts). */
  @Column({ type: 'jsonb', nullable: true })
  result!: Record<string, unknown> | null;

  /** Downsampled [time ms, portfolio equity, benchmark equity]. */
  @Column({ type: 'jsonb', nullable: true })
  equityCurve!: Array<[number, number, number]> | null;

  /** Weights after each rebalance: [time ms, weight per ticker in params.tickers order]. */
  @Column({ type: 'jsonb', nullable: true })
  holdings!: Array<[number, number[]]> | null;

  @Field({ description: 'What the run is doing: QUEUED, LOADING, SIMULATING, PERMUTATIONS, DONE.' })
  @Column({ type: 'text', default: 'QUEUED' })
  stage!: string;

  @Field(() => Int, { description: 'Tickers whose bars and scores are loaded.' })
  @Column({ type: 'integer', default: 0 })
  tickersDone!: number;

  @Field(() => Int)
  @Column({ type: 'integer', default: 0 })
  tickersTotal!: number;

  @Field(() => Float, { nullable: true })
  @Column({ type: 'double precision', nullable: true })
  pValue!: number | null;

  @Field(() => Int)
  @Column({ type: 'integer', default: 0 })
  permutationsDone!: number;

  @Field(() => Int)
  @Column({ type: 'integer', default: 0 })
  permutationsTotal!: number;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  workflowId!: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;

  @Field()
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}
