import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { RunLifecycleColumns } from './run-columns';
import { SignalColumns } from './signal-columns';

/**
 * A replayed (historical) signal: what the signal rules `rulesVersion` said at `asOf` from the
 * news published and the bars stamped by then, with sentiment scores of `modelVersion`
 * preferred. One series per (ticker, rulesVersion, modelVersion); a new model or new rules make
 * a new series and leave the old ones alone. Kept apart from the live `signals` table: live
 * signals are events (announced, subscribed to, paged by the API); history is a derived,
 * regenerable data set that backtests read.
 */
@ObjectType({ description: 'A replayed signal: the signal rules run point in time over history.' })
@Entity('signal_history')
@Index('signal_history_series_uq', ['ticker', 'rulesVersion', 'modelVersion', 'asOf'], { unique: true })
export class HistoricalSignal extends SignalColumns {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field({ description: 'Decision time: nothing published or priced after it was used.' })
  @Column({ type: 'timestamptz' })
  asOf!: Date;

  @Field({ description: 'Signal rules version (code version + hash of the parameters).' })
  @Column({ type: 'text' })
  rulesVersion!: string;

  @Field({ description: 'Sentiment model version the replay preferred.' })
  @Column({ type: 'text' })
  modelVersion!: string;

  @Field(() => [String], { description: 'Model versions of the scores actually used.' })
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  modelVersions!: string[];

  @Field(() => [ID])
  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  articleIds!: string[];

  /** The replay that last wrote this row. */
  @Field()
  @Column({ type: 'text' })
  replayId!: string;

  @Field()
  @Column({ type: 'timestamptz', default: () => 'now()' })
  computedAt!: Date;
}

/** One replay run (a Temporal workflow): what it covers and how far it got. */
@ObjectType({ description: 'A signal replay: chunked, resumable, idempotent.' })
@Entity('signal_replays')
export class SignalReplay extends RunLifecycleColumns {
  /** The workflow id. */
  @Field(() => ID)
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Field()
  @Column({ type: 'text' })
  status!: string;

  @Field(() => [String])
  @Column({ type: 'text', array: true })
  tickers!: string[];

  @Field()
  @Column({ type: 'timestamptz' })
  fromTime!: Date;

  @Field()
  @Column({ type: 'timestamptz' })
  toTime!: Date;

  @Field()
  @Column({ type: 'text' })
  rulesVersion!: string;

  @Field()
  @Column({ type: 'text' })
  modelVersion!: string;

  @Field()
  @Column({ type: 'boolean', default: false })
  intraday!: boolean;

  @Field(() => Int)
  @Column({ type: 'integer', default: 0 })
  chunksTotal!: number;

  @Field(() => Int, { description: 'Chunks finished; progress = chunksDone / chunksTotal.' })
  @Column({ type: 'integer', default: 0 })
  chunksDone!: number;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  doneChunks!: string[];

  @Field(() => Int, { description: 'Decision times evaluated.' })
  @Column({ type: 'integer', default: 0 })
  points!: number;

  @Field(() => Int, { description: 'Signals inserted or changed (0 on a re-run over unchanged data).' })
  @Column({ type: 'integer', default: 0 })
  written!: number;

  @Field(() => Int, { description: 'Signals recomputed and found identical to the stored ones.' })
  @Column({ type: 'integer', default: 0 })
  unchanged!: number;

  @Field(() => GraphQLJSON)
  @Column({ type: 'jsonb', default: () => "'{}'" })
  params!: Record<string, unknown>;
}
