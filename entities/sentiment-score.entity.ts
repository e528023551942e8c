import { Field, Float, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Article } from './article.entity';

/** A phrase of the article's title and how hard it pushed toward the label (log-odds; > 0 toward it). */
@ObjectType('ExplanationPhrase')
export class ExplanationPhraseType {
  @Field()
  text!: string;

  @Field(() => Float)
  weight!: number;
}

/** One score per article and model version: re-scoring with the same model writes nothing. */
@ObjectType({ simpleResolvers: true })
@Entity('sentiment_scores')
@Index('sentiment_scores_article_model_uq', ['articleId', 'modelVersion'], { unique: true })
export class SentimentScore {
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
  modelVersion!: string;

  /** Which tier produced it: fast (n-gram model), accurate (encoder) or lexicon (fallback). */
  @Field()
  @Column({ type: 'text', default: 'fast' })
  tier!: string;

  /**
   * What the score read: 'title-only', or 'sentences' when the article's body (feed summary or
   * content) was about its title and the title and body were scored sentence by sentence.
   */
  @Field({ description: "What the score read: 'title-only', or 'sentences' (the title and a related body, scored sentence by sentence and aggregated)." })
  @Column({ type: 'text', default: 'title-only' })
  textMode!: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  label!: string | null;

  /** In [-1, 1]: P(positive) - P(negative) for the model, the normalised score for a lexicon. */
  @Field(() => Float, { nullable: true })
  @Column({ type: 'real', nullable: true })
  score!: number | null;

  @Field(() => Float, { nullable: true })
  @Column({ type: 'real', nullable: true })
  probNegative!: number | null;

  @Field(() => Float, { nullable: true })
  @Column({ type: 'real', nullable: true })
  probNeutral!: number | null;

  @Field(() => Float, { nullable: true })
  @Column({ type: 'real', nullable: true })
  probPositive!: number | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  unscoredReason!: string | null;

  /**
   * The phrases that pushed the title to its label, strongest first: exact n-gram shares for the
   * fast tier, occlusion for the accurate one; null where the scorer gave none (the lexicon, or
   * scores from before explanations).
   */
  @Field(() => [ExplanationPhraseType], { nullable: true })
  @Column({ type: 'jsonb', nullable: true })
  explanation!: ExplanationPhraseType[] | null;

  @Field()
  @CreateDateColumn({ type: 'timestamptz' })
  scoredAt!: Date;
}
