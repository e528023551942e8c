import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alerts that survive a dropped connection and market data on a schedule: webhook endpoints
 * (per user; operator endpoints for feed alerts), their deliveries and every attempt, price
 * sources, and when a failing feed last alerted operators.
 */
export class WebhooksPriceSources1764315500000 implements MigrationInterface {
  name = 'WebhooksPriceSources1764315500000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "webhook_endpoints" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "owner_id" uuid NOT NULL, "kind" text NOT NULL DEFAULT 'SIGNALS', "url" text NOT NULL, "description" text, "secret" text NOT NULL, "tickers" text array, "types" text array, "min_confidence" real NOT NULL DEFAULT '0', "enabled" boolean NOT NULL DEFAULT true, "disabled_reason" text, "disabled_at" TIMESTAMP WITH TIME ZONE, "consecutive_failures" integer NOT NULL DEFAULT '0', "last_success_at" TIMESTAMP WITH TIME ZONE, "last_failure_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_054c4cfb95223732f5939d2d546" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_b5dcaff83b5523435437b9faa8" ON "webhook_endpoints" ("owner_id") `);
    await queryRunner.query(`CREATE INDEX "webhook_endpoints_kind_enabled_idx" ON "webhook_endpoints" ("kind", "enabled") `);
    await queryRunner.query(`CREATE TABLE "webhook_deliveries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "endpoint_id" uuid NOT NULL, "event_type" text NOT NULL, "event_key" text NOT NULL, "payload" jsonb NOT NULL, "status" text NOT NULL DEFAULT 'PENDING', "attempts" integer NOT NULL DEFAULT '0', "last_status_code" integer, "last_error" text, "replay_of" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "completed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "webhook_deliveries_endpoint_event_uq" UNIQUE ("endpoint_id", "event_key"), CONSTRAINT "PK_535dd409947fb6d8fc6dfc0112a" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "webhook_deliveries_endpoint_created_idx" ON "webhook_deliveries" ("endpoint_id", "created_at") `);
    await queryRunner.query(`CREATE TABLE "webhook_delivery_attempts" ("delivery_id" uuid NOT NULL, "attempt" integer NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "status_code" integer, "latency_ms" integer NOT NULL, "error" text, CONSTRAINT "PK_7cb191a8ef5167bf3e33cfa2cae" PRIMARY KEY ("delivery_id", "attempt"))`);
    await queryRunner.query(`CREATE TABLE "price_sources" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "url_template" text NOT NULL, "format" text NOT NULL DEFAULT 'AUTO', "interval" text NOT NULL DEFAULT '1d', "tickers" text array NOT NULL DEFAULT '{}', "cron" text NOT NULL, "last_run_at" TIMESTAMP WITH TIME ZONE, "last_error" text, "bars_stored" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_a899c6b4195244612aa6e1d96a4" UNIQUE ("name"), CONSTRAINT "PK_cd504be03b6bd35e7928ebba829" PRIMARY KEY ("id"))`);
    await queryRunner.query(`ALTER TABLE "feeds" ADD "failure_alerted_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "FK_b5dcaff83b5523435437b9faa8c" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "FK_0b882c26a9b91c26e6e86b4867c" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "webhook_delivery_attempts" ADD CONSTRAINT "FK_647916c401c0c275df5f00c148f" FOREIGN KEY ("delivery_id") REFERENCES "webhook_deliveries"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "webhook_delivery_attempts" DROP CONSTRAINT "FK_647916c401c0c275df5f00c148f"`);
    await queryRunner.query(`ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "FK_0b882c26a9b91c26e6e86b4867c"`);
    await queryRunner.query(`ALTER TABLE "webhook_endpoints" DROP CONSTRAINT "FK_b5dcaff83b5523435437b9faa8c"`);
    await queryRunner.query(`ALTER TABLE "feeds" DROP COLUMN "failure_alerted_at"`);
    await queryRunner.query(`DROP TABLE "price_sources"`);
    await queryRunner.query(`DROP TABLE "webhook_delivery_attempts"`);
    await queryRunner.query(`DROP INDEX "public"."webhook_deliveries_endpoint_created_idx"`);
    await queryRunner.query(`DROP TABLE "webhook_deliveries"`);
    await queryRunner.query(`DROP INDEX "public"."webhook_endpoints_kind_enabled_idx"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_b5dcaff83b5523435437b9faa8"`);
    await queryRunner.query(`DROP TABLE "webhook_endpoints"`);
  }
}
