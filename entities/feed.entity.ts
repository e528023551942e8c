import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@ObjectType()
@Entity('feeds')
export class Feed {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field()
  @Column({ type: 'text', unique: true })
  url!: string;

  @Field()
  @Column({ type: 'text' })
  name!: string;

  @Field(() => Int)
  @Column({ type: 'integer' })
  pollIntervalSeconds!: number;

  @Field()
  @Column({ type: 'boolean', default: false })
  paused!: boolean;

  /** Validators from the last 200 response, sent back as If-None-Match / If-Modified-Since. */
  @Column({ type: 'text', nullable: true })
  etag!: string | null;

  @Column({ type: 'text', nullable: true })
  lastModified!: string | null;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  lastPolledAt!: Date | null;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  lastSuccessAt!: Date | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  lastError!: string | null;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  lastErrorAt!: Date | null;

  @Field(() => Int)
  @Column({ type: 'integer', default: 0 })
  consecutiveFailures!: number;

  @Field(() => Int)
  @Column({ type: 'integer', default: 0 })
  articlesIngested!: number;

  @Field(() => Int, { description: 'Items the last successful poll skipped (unstorable, unidentifiable, or beyond the per-feed item cap).' })
  @Column({ type: 'integer', default: 0 })
  itemsSkipped!: number;

  @Field(() => String, { nullable: true, description: 'Why the last successful poll skipped items (item indexes and reasons), or null when it skipped none.' })
  @Column({ type: 'text', nullable: true })
  lastSkipReason!: string | null;

  @Field(() => Date, { nullable: true, description: 'When operators were alerted that this feed keeps failing; cleared by the next success.' })
  @Column({ type: 'timestamptz', nullable: true })
  failureAlertedAt!: Date | null;

  @Field()
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
