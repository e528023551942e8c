import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What text a score read (issue 22, long text): 'title-only', or 'sentences' when the article's
 * body was about its title and was scored by sentences. Every score before this read the title
 * alone, hence the default.
 */
export class SentimentTextMode1765100000000 implements MigrationInterface {
  name = 'SentimentTextMode1765100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sentiment_scores" ADD "text_mode" text NOT NULL DEFAULT 'title-only'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sentiment_scores" DROP COLUMN "text_mode"`);
  }
}
