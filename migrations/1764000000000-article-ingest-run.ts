import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which poll stored an article. A poll retried after its store committed (the worker died
 * before reporting back) finds the articles it already stored by this key and still hands them
 * to sentiment scoring, instead of seeing only duplicates.
 */
export class ArticleIngestRun1764000000000 implements MigrationInterface {
  name = 'ArticleIngestRun1764000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "articles" ADD "ingest_run" text`);
    await queryRunner.query(`CREATE INDEX "articles_ingest_run_idx" ON "articles" ("ingest_run") WHERE "ingest_run" IS NOT NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "articles_ingest_run_idx"`);
    await queryRunner.query(`ALTER TABLE "articles" DROP COLUMN "ingest_run"`);
  }
}
