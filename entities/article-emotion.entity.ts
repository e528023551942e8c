import { Field, Float, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Article } from './article.entity';

@ObjectType({ description: 'Probability of each emotion class; they sum to 1.' })
export class EmotionProbabilities {
  @Field(() => Float)
  neutral!: number;

  @Field(() => Float)
  happy!: number;

  @Field(() => Float)
  sad!: number;

  @Field(() => Float)
  anger!: number;

  @Field(() => Float)
  disgust!: number;

  @Field(() => Float)
  surprise!: number;

  @Field(() => Float)
  fear!: number;
}

/**
 * The emotion of an article's title from the accurate tier's emotion head (the same encoder
 * forward pass as its sentiment); one row per (article, emotion model version), so a re-score
 * or a backfill with the same version writes nothing.
 */
@Entity('article_emotions')
@Index('article_emotions_article_model_uq', ['articleId', 'modelVersion'], { unique: true })
export class ArticleEmotion {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'uuid' })
  articleId!: string;

  @ManyToOne(() => Article, { onDelete: 'CASCADE' })
  @JoinColumn()
  article?: Article;

  /** The emotion head's version (its metadata names the accurate-tier encoder it reads). */
  @Column({ type: 'text' })
  modelVersion!: string;

  @Column({ type: 'text' })
  label!: string;

  @Column({ type: 'real' })
  probNeutral!: number;

  @Column({ type: 'real' })
  probHappy!: number;

  @Column({ type: 'real' })
  probSad!: number;

  @Column({ type: 'real' })
  probAnger!: number;

  @Column({ type: 'real' })
  probDisgust!: number;

  @Column({ type: 'real' })
  probSurprise!: number;

  @Column({ type: 'real' })
  probFear!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  scoredAt!: Date;
}
