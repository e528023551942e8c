import { Field, Float, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Article } from './article.entity';

/**
 * Sentiment toward one ticker within one article ("X beats, Y slides"), from the accurate
 * tier's entity head; one row per (article, ticker, model version). Signals and
 * tickerSentiment use it in place of the article-level score when it exists.
 */
@ObjectType()
@Entity('ticker_sentiment_scores')
@Index('ticker_sentiment_scores_article_ticker_model_uq', ['articleId', 'ticker', 'modelVersion'], { unique: true })
@Index('ticker_sentiment_scores_ticker_idx', ['ticker'])
export class TickerSentimentScore {
  @Field(() => ID)
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'uuid' })
  articleId!: string;

  @ManyToOne(() => Article, { onDelete: 'CASCADE' })
  @JoinColumn()
  article?: Article;

  @Field()
  @Column({ type: 'text' })
  ticker!: string;

  @Field()
  @Column({ type: 'text' })
  modelVersion!: string;

  @Field(() => String)
  @Column({ type: 'text' })
  label!: string;

  /** P(positive) - P(negative) toward this ticker, in [-1, 1]. */
  @Field(() => Float)
  @Column({ type: 'real' })
  score!: number;

  @Field(() => Float)
  @Column({ type: 'real' })
  probNegative!: number;

  @Field(() => Float)
  @Column({ type: 'real' })
  probNeutral!: number;

  @Field(() => Float)
  @Column({ type: 'real' })
  probPositive!: number;

  @Field()
  @CreateDateColumn({ type: 'timestamptz' })
  scoredAt!: Date;
}
