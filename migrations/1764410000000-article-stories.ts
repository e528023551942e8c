import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One story, counted once (issue 23): each article carries the MinHash signature of its title
 * and summary and the story it belongs to. A story's id is the id of its earliest article (the one
 * that opened it), so no separate table is needed: the story is its articles. Existing articles
 * are left unassigned (each counts as its own story) until re-ingested.
 */
export class ArticleStories1764410000000 implements MigrationInterface {
  name = 'ArticleStories1764410000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "articles" ADD "story_id" uuid`);
    await queryRunner.query(`ALTER TABLE "articles" ADD "story_signature" integer array`);
    await queryRunner.query(`CREATE INDEX "articles_story_id_idx" ON "articles" ("story_id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."articles_story_id_idx"`);
    await queryRunner.query(`ALTER TABLE "articles" DROP COLUMN "story_signature"`);
    await queryRunner.query(`ALTER TABLE "articles" DROP COLUMN "story_id"`);
  }
}
