import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The product's schema. Generated once from the entities and kept by hand since; the
 * "entities and migrations agree" test fails when they drift apart.
 */
export class InitialSchema1763800000000 implements MigrationInterface {
  name = 'InitialSchema1763800000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "users" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" text NOT NULL, "password_hash" text NOT NULL, "role" text NOT NULL, "active" boolean NOT NULL DEFAULT true, "deactivated_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_97672ac88f789774dd47f7c8be3" UNIQUE ("email"), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "api_keys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "name" text NOT NULL, "lookup_id" text NOT NULL, "secret_hash" bytea NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "last_used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_e8828b4a713978adb8d6cf04874" UNIQUE ("lookup_id"), CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_a3baee01d8408cd3c0f89a9a97" ON "api_keys" ("user_id")`);
    await queryRunner.query(`CREATE TABLE "feeds" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "url" text NOT NULL, "name" text NOT NULL, "poll_interval_seconds" integer NOT NULL, "paused" boolean NOT NULL DEFAULT false, "etag" text, "last_modified" text, "last_polled_at" TIMESTAMP WITH TIME ZONE, "last_success_at" TIMESTAMP WITH TIME ZONE, "last_error" text, "last_error_at" TIMESTAMP WITH TIME ZONE, "consecutive_failures" integer NOT NULL DEFAULT '0', "articles_ingested" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_337f5c8ae0b5ff374c97513ca03" UNIQUE ("url"), CONSTRAINT "PK_3dafbf766ecbb1eb2017732153f" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "articles" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "feed_id" uuid, "source" text NOT NULL, "guid" text, "url" text, "canonical_url" text, "url_hash" character(64) NOT NULL, "title" text NOT NULL, "summary" text NOT NULL DEFAULT '', "published_at" TIMESTAMP WITH TIME ZONE NOT NULL, "published_at_estimated" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_adcd98406e72bcd3f8f87121399" UNIQUE ("url_hash"), CONSTRAINT "PK_0a6e2c450d83e0b6052c2793334" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "articles_feed_guid_uq" ON "articles" ("feed_id", "guid") WHERE "guid" IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX "articles_published_at_idx" ON "articles" ("published_at")`);
    await queryRunner.query(`CREATE TABLE "article_tickers" ("article_id" uuid NOT NULL, "ticker" text NOT NULL, "relevance" real NOT NULL, "matched_by" text array NOT NULL DEFAULT '{}', "published_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_533d576f89872961b0effc35e5e" PRIMARY KEY ("article_id", "ticker"))`);
    await queryRunner.query(`CREATE INDEX "article_tickers_ticker_published_idx" ON "article_tickers" ("ticker", "published_at")`);
    await queryRunner.query(`CREATE TABLE "backtest_runs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "status" text NOT NULL, "params" jsonb NOT NULL, "metrics" jsonb, "equity_curve" jsonb, "p_value" double precision, "permutations_done" integer NOT NULL DEFAULT '0', "permutations_total" integer NOT NULL DEFAULT '0', "workflow_id" text, "error" text, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "completed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_a8a1cef0162fdbbb0cc9920ca5c" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "backtest_runs_created_idx" ON "backtest_runs" ("created_at")`);
    await queryRunner.query(`CREATE TABLE "feature_flags" ("key" text NOT NULL, "enabled" boolean NOT NULL, "description" text NOT NULL DEFAULT '', "updated_by" uuid, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_36d0344370584b4d6a953c53a69" PRIMARY KEY ("key"))`);
    await queryRunner.query(`CREATE TABLE "feature_flag_audit" ("id" BIGSERIAL NOT NULL, "flag_key" text NOT NULL, "old_enabled" boolean, "new_enabled" boolean NOT NULL, "old_description" text, "new_description" text, "changed_by" uuid, "changed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c494187320401082e8dbc26f683" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_4592501ca71d36eba81da659ba" ON "feature_flag_audit" ("flag_key")`);
    await queryRunner.query(`CREATE TABLE "pipeline_probes" ("id" uuid NOT NULL, "workflow_id" text NOT NULL, "status" text NOT NULL, "note" text, "completed_by" text, "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "completed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_2c18a7f8cc3be6f08fbcbd11040" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "price_bars" ("ticker" text NOT NULL, "interval" text NOT NULL, "time" TIMESTAMP WITH TIME ZONE NOT NULL, "open" double precision NOT NULL, "high" double precision NOT NULL, "low" double precision NOT NULL, "close" double precision NOT NULL, "volume" double precision, CONSTRAINT "PK_793f9dd8f8dd38c5182ebd4d922" PRIMARY KEY ("ticker", "interval", "time"))`);
    await queryRunner.query(`CREATE TABLE "sentiment_scores" ("id" BIGSERIAL NOT NULL, "article_id" uuid NOT NULL, "model_version" text NOT NULL, "label" text, "score" real, "prob_negative" real, "prob_neutral" real, "prob_positive" real, "unscored_reason" text, "scored_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5a2428ce0ce6be8c588d2483bac" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "sentiment_scores_article_model_uq" ON "sentiment_scores" ("article_id", "model_version")`);
    await queryRunner.query(`CREATE TABLE "signals" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "ticker" text NOT NULL, "as_of" TIMESTAMP WITH TIME ZONE NOT NULL, "type" text NOT NULL, "confidence" real NOT NULL, "risk_level" text NOT NULL, "suggested_position_size" real NOT NULL, "features" jsonb NOT NULL DEFAULT '{}', "model_versions" text array NOT NULL DEFAULT '{}', "params" jsonb NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_04eeac09c09b65bc55c628c101d" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "signals_ticker_as_of_idx" ON "signals" ("ticker", "as_of")`);
    await queryRunner.query(`CREATE TABLE "signal_articles" ("signal_id" uuid NOT NULL, "article_id" uuid NOT NULL, CONSTRAINT "PK_08c5bc50be3666e88efc2e50f39" PRIMARY KEY ("signal_id", "article_id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_4e5549d9280bd4f8fc547468ac" ON "signal_articles" ("article_id")`);
    await queryRunner.query(`ALTER TABLE "api_keys" ADD CONSTRAINT "FK_a3baee01d8408cd3c0f89a9a973" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "articles" ADD CONSTRAINT "FK_55095c56b6f0125467d0818953d" FOREIGN KEY ("feed_id") REFERENCES "feeds"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "article_tickers" ADD CONSTRAINT "FK_25a7408f0a79d2f05ba0adb70ee" FOREIGN KEY ("article_id") REFERENCES "articles"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "sentiment_scores" ADD CONSTRAINT "FK_0c043b0c89185a4f357d9d46b6c" FOREIGN KEY ("article_id") REFERENCES "articles"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "signal_articles" ADD CONSTRAINT "FK_9f2aa36b1743c002be3c7fc702d" FOREIGN KEY ("signal_id") REFERENCES "signals"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "signal_articles" ADD CONSTRAINT "FK_4e5549d9280bd4f8fc547468ac9" FOREIGN KEY ("article_id") REFERENCES "articles"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    // The flags the product reads. Later migrations add flags the same way.
    await queryRunner.query(`INSERT INTO "feature_flags" ("key", "enabled", "description") VALUES
      ('rss_polling', true, 'Poll RSS/Atom feeds on their Temporal Schedules; off pauses all polling'),
      ('model_sentiment', true, 'Score with the trained TensorFlow.js model; off uses the lexicon fallback'),
      ('signal_subscriptions', true, 'Deliver new signals to graphql-ws subscribers'),
      ('backtests', true, 'Allow starting backtests')
      ON CONFLICT ("key") DO NOTHING`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "signal_articles"`);
    await queryRunner.query(`DROP TABLE "signals"`);
    await queryRunner.query(`DROP TABLE "sentiment_scores"`);
    await queryRunner.query(`DROP TABLE "price_bars"`);
    await queryRunner.query(`DROP TABLE "pipeline_probes"`);
    await queryRunner.query(`DROP TABLE "feature_flag_audit"`);
    await queryRunner.query(`DROP TABLE "feature_flags"`);
    await queryRunner.query(`DROP TABLE "backtest_runs"`);
    await queryRunner.query(`DROP TABLE "article_tickers"`);
    await queryRunner.query(`DROP TABLE "articles"`);
    await queryRunner.query(`DROP TABLE "feeds"`);
    await queryRunner.query(`DROP TABLE "api_keys"`);
    await queryRunner.query(`DROP TABLE "users"`);
  }
}
