import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Feed health for items a poll skipped (a NUL byte, nothing to identify the item by, beyond the
 * per-feed item cap), and the failed password exchanges that createApiKeyWithPassword counts
 * per email (hashed) and per client address, shared by every API replica.
 */
export class FeedSkipsLoginFailures1764100000000 implements MigrationInterface {
  name = 'FeedSkipsLoginFailures1764100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "feeds" ADD "items_skipped" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "feeds" ADD "last_skip_reason" text`);
    await queryRunner.query(`CREATE TABLE "login_failures" ("id" bigserial NOT NULL, "key" text NOT NULL, "failed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), CONSTRAINT "PK_login_failures" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "login_failures_key_time_idx" ON "login_failures" ("key", "failed_at")`);
    await queryRunner.query(`CREATE INDEX "login_failures_time_idx" ON "login_failures" ("failed_at")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "login_failures"`);
    await queryRunner.query(`ALTER TABLE "feeds" DROP COLUMN "last_skip_reason"`);
    await queryRunner.query(`ALTER TABLE "feeds" DROP COLUMN "items_skipped"`);
  }
}
