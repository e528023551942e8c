import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { SignalType } from './signal.entity';
import { User } from './user.entity';

/** What an endpoint receives: users' signal alerts, or (admin-registered) operator alerts about feeds. */
export enum WebhookKind {
  SIGNALS = 'SIGNALS',
  OPERATOR = 'OPERATOR',
}
registerEnumType(WebhookKind, { name: 'WebhookKind', description: 'SIGNALS: signal.created events; OPERATOR (admins only): feed.failing alerts.' });

export enum WebhookDeliveryStatus {
  PENDING = 'PENDING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}
registerEnumType(WebhookDeliveryStatus, { name: 'WebhookDeliveryStatus' });

/**
 * A user's webhook endpoint. The signing secret is stored (it is needed to sign every delivery)
 * but is never a GraphQL field and never logged: it is shown once, when the endpoint is created.
 */
@ObjectType()
@Entity('webhook_endpoints')
@Index('webhook_endpoints_kind_enabled_idx', ['kind', 'enabled'])
export class WebhookEndpoint {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field(() => ID)
  @Index()
  @Column({ type: 'uuid' })
  ownerId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn()
  owner?: User;

  @Field(() => WebhookKind)
  @Column({ type: 'text', default: WebhookKind.SIGNALS })
  kind!: WebhookKind;

  @Field()
  @Column({ type: 'text' })
  url!: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'text' })
  secret!: string;

  @Field(() => [String], { nullable: true, description: 'Signals of these tickers only; null: every ticker.' })
  @Column({ type: 'text', array: true, nullable: true })
  tickers!: string[] | null;

  @Field(() => [SignalType], { nullable: true, description: 'Signals of these types only; null: every type.' })
  @Column({ type: 'text', array: true, nullable: true })
  types!: SignalType[] | null;

  @Field(() => Float)
  @Column({ type: 'real', default: 0 })
  minConfidence!: number;

  @Field()
  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @Field(() => String, { nullable: true, description: 'Why the endpoint was disabled (automatically after repeated failures, or by its owner).' })
  @Column({ type: 'text', nullable: true })
  disabledReason!: string | null;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  disabledAt!: Date | null;

  @Field(() => Int, { description: 'Deliveries that finally failed in a row (reset by a success).' })
  @Column({ type: 'integer', default: 0 })
  consecutiveFailures!: number;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  lastSuccessAt!: Date | null;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  lastFailureAt!: Date | null;

  @Field()
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

/** One event for one endpoint: its data is fixed when it is planned, so every attempt sends the same event (only the body's attempt number changes). */
@ObjectType()
@Entity('webhook_deliveries')
@Unique('webhook_deliveries_endpoint_event_uq', ['endpointId', 'eventKey'])
@Index('webhook_deliveries_endpoint_created_idx', ['endpointId', 'createdAt'])
export class WebhookDelivery {
  @Field(() => ID, { description: 'Also sent as the Tidings-Webhook-Id header: receivers deduplicate on it.' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field(() => ID)
  @Column({ type: 'uuid' })
  endpointId!: string;

  @ManyToOne(() => WebhookEndpoint, { onDelete: 'CASCADE' })
  @JoinColumn()
  endpoint?: WebhookEndpoint;

  @Field({ description: 'signal.created or feed.failing' })
  @Column({ type: 'text' })
  eventType!: string;

  /** Identifies the event for this endpoint (e.g. signal:<id>); a replay gets its own. */
  @Column({ type: 'text' })
  eventKey!: string;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Field(() => WebhookDeliveryStatus)
  @Column({ type: 'text', default: WebhookDeliveryStatus.PENDING })
  status!: WebhookDeliveryStatus;

  @Field(() => Int, { description: 'HTTP attempts so far (each one is in `attempts`).' })
  @Column({ name: 'attempts', type: 'integer', default: 0 })
  attemptCount!: number;

  @Field(() => Int, { nullable: true })
  @Column({ type: 'integer', nullable: true })
  lastStatusCode!: number | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  lastError!: string | null;

  @Field(() => ID, { nullable: true, description: 'The delivery this one replays.' })
  @Column({ type: 'uuid', nullable: true })
  replayOf!: string | null;

  @Field()
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}

/** Every HTTP attempt of a delivery: status code, latency, error. */
@ObjectType()
@Entity('webhook_delivery_attempts')
export class WebhookDeliveryAttempt {
  @PrimaryColumn({ type: 'uuid' })
  deliveryId!: string;

  @ManyToOne(() => WebhookDelivery, { onDelete: 'CASCADE' })
  @JoinColumn()
  delivery?: WebhookDelivery;

  @Field(() => Int)
  @PrimaryColumn({ type: 'integer' })
  attempt!: number;

  @Field()
  @Column({ type: 'timestamptz' })
  startedAt!: Date;

  @Field(() => Int, { nullable: true })
  @Column({ type: 'integer', nullable: true })
  statusCode!: number | null;

  @Field(() => Int)
  @Column({ type: 'integer' })
  latencyMs!: number;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  error!: string | null;
}
