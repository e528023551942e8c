import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why an article got its label (issue 22): the phrases that pushed it there, stored with the
 * score as a JSON array of {text, weight}; null for scores made before, or without, an explanation.
 */
export class SentimentExplanations1764420000000 implements MigrationInterface {
  name = 'SentimentExplanations1764420000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sentiment_scores" ADD "explanation" jsonb`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sentiment_scores" DROP COLUMN "explanation"`);
  }
}
