import { Field, ID, ObjectType } from 'type-graphql';
import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

@ObjectType()
@Entity('feature_flags')
export class FeatureFlag {
  @Field()
  @PrimaryColumn({ type: 'text' })
  key!: string;

  @Field()
  @Column({ type: 'boolean' })
  enabled!: boolean;

  @Field()
  @Column({ type: 'text', default: '' })
  description!: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'uuid', nullable: true })
  updatedBy!: string | null;

  @Field()
  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}

/** One row per change: who, when, old -> new. Append-only. */
@ObjectType()
@Entity('feature_flag_audit')
export class FeatureFlagAudit {
  @Field(() => ID)
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Field()
  @Index()
  @Column({ type: 'text' })
  flagKey!: string;

  @Field(() => Boolean, { nullable: true })
  @Column({ type: 'boolean', nullable: true })
  oldEnabled!: boolean | null;

  @Field()
  @Column({ type: 'boolean' })
  newEnabled!: boolean;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  oldDescription!: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  newDescription!: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'uuid', nullable: true })
  changedBy!: string | null;

  @Field()
  @Column({ type: 'timestamptz', default: () => 'now()' })
  changedAt!: Date;
}
