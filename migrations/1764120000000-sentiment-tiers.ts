import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sentiment 2.0: every score says which tier produced it (fast n-gram model, accurate encoder,
 * or the lexicon fallback), and the accurate tier's per-ticker scores within an article get
 * their own table.
 */
export class SentimentTiers1764120000000 implements MigrationInterface {
  name = 'SentimentTiers1764120000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sentiment_scores" ADD "tier" text NOT NULL DEFAULT 'fast'`);
    await queryRunner.query(`UPDATE "sentiment_scores" SET "tier" = 'lexicon' WHERE "model_version" LIKE 'lexicon-%'`);
    await queryRunner.query(
      `CREATE TABLE "ticker_sentiment_scores" ("id" BIGSERIAL NOT NULL, "article_id" uuid NOT NULL, "ticker" text NOT NULL, "model_version" text NOT NULL, "label" text NOT NULL, "score" real NOT NULL, "prob_negative" real NOT NULL, "prob_neutral" real NOT NULL, "prob_positive" real NOT NULL, "scored_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_04bbd01a0f37c0412ef685d7f40" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "ticker_sentiment_scores_article_ticker_model_uq" ON "ticker_sentiment_scores" ("article_id", "ticker", "model_version")`);
    await queryRunner.query(`CREATE INDEX "ticker_sentiment_scores_ticker_idx" ON "ticker_sentiment_scores" ("ticker")`);
    await queryRunner.query(
      `ALTER TABLE "ticker_sentiment_scores" ADD CONSTRAINT "FK_0232a56469853e2e183ea6ff7b9" FOREIGN KEY ("article_id") REFERENCES "articles"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "ticker_sentiment_scores"`);
    await queryRunner.query(`ALTER TABLE "sentiment_scores" DROP COLUMN "tier"`);
  }
}
