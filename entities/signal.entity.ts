import { GraphQLJSON } from 'graphql-scalars';
import { Field, Float, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Article } from './article.entity';

export enum SignalType {
  BUY = 'BUY',
  SELL = 'SELL',
  HOLD = 'HOLD',
}
registerEnumType(SignalType, { name: 'SignalType' });

export enum RiskLevel {
  LOW = 'LOW',
  MEDIUM = 'MEDIUM',
  HIGH = 'HIGH',
}
registerEnumType(RiskLevel, { name: 'RiskLevel' });

@ObjectType({ simpleResolvers: true })
@Entity('signals')
@Index('signals_ticker_as_of_idx', ['ticker', 'asOf'])
export class Signal {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field()
  @Column({ type: 'text' })
  ticker!: string;

  /** Point in time the signal speaks for: nothing published after it was used. */
  @Field()
  @Column({ type: 'timestamptz' })
  asOf!: Date;

  @Field(() => SignalType)
  @Column({ type: 'text' })
  type!: SignalType;

  @Field(() => Float)
  @Column({ type: 'real' })
  confidence!: number;

  @Field(() => RiskLevel)
  @Column({ type: 'text' })
  riskLevel!: RiskLevel;

  @Field(() => Float)
  @Column({ type: 'real' })
  suggestedPositionSize!: number;

  @Field(() => GraphQLJSON)
  @Column({ type: 'jsonb', default: () => "'{}'" })
  features!: Record<string, unknown>;

  @Field(() => [String])
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  modelVersions!: string[];

  @Field(() => GraphQLJSON)
  @Column({ type: 'jsonb', default: () => "'{}'" })
  params!: Record<string, unknown>;

  @Field()
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

/** Provenance: the articles a signal was computed from. */
@Entity('signal_articles')
export class SignalArticle {
  @PrimaryColumn({ type: 'uuid' })
  signalId!: string;

  @ManyToOne(() => Signal, { onDelete: 'CASCADE' })
  @JoinColumn()
  signal?: Signal;

  @Index()
  @PrimaryColumn({ type: 'uuid' })
  articleId!: string;

  @ManyToOne(() => Article, { onDelete: 'CASCADE' })
  @JoinColumn()
  article?: Article;
}
