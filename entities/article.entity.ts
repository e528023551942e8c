import { Field, Float, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Feed } from './feed.entity';

@ObjectType({ simpleResolvers: true })
@Entity('articles')
@Index('articles_published_at_idx', ['publishedAt'])
@Index('articles_feed_guid_uq', ['feedId', 'guid'], { unique: true, where: '"guid" IS NOT NULL' })
@Index('articles_ingest_run_idx', ['ingestRun'], { where: '"ingest_run" IS NOT NULL' })
export class Article {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'uuid', nullable: true })
  feedId!: string | null;

  @ManyToOne(() => Feed, { onDelete: 'SET NULL' })
  @JoinColumn()
  feed?: Feed;

  /** 'feed' or 'import' (the importArticles push path). */
  @Field()
  @Column({ type: 'text' })
  source!: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  guid!: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  url!: string | null;

  @Column({ type: 'text', nullable: true })
  canonicalUrl!: string | null;

  /** SHA-256 of the canonical URL (or of guid/title without a link): the dedupe key. */
  @Column({ type: 'char', length: 64, unique: true })
  urlHash!: string;

  @Field()
  @Column({ type: 'text' })
  title!: string;

  @Field()
  @Column({ type: 'text', default: '' })
  summary!: string;

  @Field()
  @Column({ type: 'timestamptz' })
  publishedAt!: Date;

  /** The story (near-duplicates across feeds) this article tells: the id of the story's earliest article; null until assigned at ingest. */
  @Index('articles_story_id_idx')
  @Column({ type: 'uuid', nullable: true })
  storyId!: string | null;

  /** MinHash signature of title + summary (domain/stories), kept so later articles can be matched without the text. */
  @Column({ type: 'integer', array: true, nullable: true })
  storySignature!: number[] | null;

  /** True when the feed gave no usable date and the fetch time stands in for it. */
  @Field()
  @Column({ type: 'boolean', default: false })
  publishedAtEstimated!: boolean;

  @Field()
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  /** The feed item's author (RSS author / dc:creator, Atom author name), when it names one. */
  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  author!: string | null;

  /** The feed item's categories (RSS category / dc:subject, Atom category term), de-duplicated. */
  @Field(() => [String])
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  categories!: string[];

  /** The poll (workflow id) that stored it, so a retried poll can find what it stored. */
  @Column({ type: 'text', nullable: true })
  ingestRun!: string | null;
}

/** Which tickers an article is about, and how strongly. */
@ObjectType({ simpleResolvers: true })
@Entity('article_tickers')
@Index('article_tickers_ticker_published_idx', ['ticker', 'publishedAt'])
export class ArticleTicker {
  @PrimaryColumn({ type: 'uuid' })
  articleId!: string;

  @ManyToOne(() => Article, { onDelete: 'CASCADE' })
  @JoinColumn()
  article?: Article;

  @Field()
  @PrimaryColumn({ type: 'text' })
  ticker!: string;

  @Field(() => Float)
  @Column({ type: 'real' })
  relevance!: number;

  @Field(() => [String])
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  matchedBy!: string[];

  /** False for a symbol outside the instrument universe (an unknown cashtag kept at lower relevance). */
  @Field({ description: 'False when the symbol is not a known instrument (an unknown cashtag, kept at lower relevance).' })
  @Column({ type: 'boolean', default: true })
  verified!: boolean;

  /** Copied from the article so "latest news for a ticker" is one index range scan. */
  @Column({ type: 'timestamptz' })
  publishedAt!: Date;
}
