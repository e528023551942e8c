import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Article } from './article.entity';
import { SignalColumns } from './signal-columns';

// The enums moved with the columns that use them; re-exported so imports stay as they were.
export { RiskLevel, SignalType } from './signal-columns';

@ObjectType({ simpleResolvers: true })
@Entity('signals')
@Index('signals_ticker_as_of_idx', ['ticker', 'asOf'])
export class Signal extends SignalColumns {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Point in time the signal speaks for: nothing published after it was used. */
  @Field()
  @Column({ type: 'timestamptz' })
  asOf!: Date;

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
