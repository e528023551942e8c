import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Replayed signal history (issue 16): `signal_history` holds one series per (ticker, rules
 * version, model version), unique per decision time so a re-run writes nothing new;
 * `signal_replays` records each replay run with its progress.
 */
export class SignalHistory1764110000000 implements MigrationInterface {
  name = 'SignalHistory1764110000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "signal_history" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "ticker" text NOT NULL, "as_of" TIMESTAMP WITH TIME ZONE NOT NULL, "rules_version" text NOT NULL, "model_version" text NOT NULL, "type" text NOT NULL, "confidence" real NOT NULL, "risk_level" text NOT NULL, "suggested_position_size" real NOT NULL, "features" jsonb NOT NULL DEFAULT '{}', "model_versions" text array NOT NULL DEFAULT '{}', "article_ids" uuid array NOT NULL DEFAULT '{}', "replay_id" text NOT NULL, "computed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_signal_history" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "signal_history_series_uq" ON "signal_history" ("ticker", "rules_version", "model_version", "as_of")`);
    await queryRunner.query(`CREATE TABLE "signal_replays" ("id" text NOT NULL, "status" text NOT NULL, "tickers" text array NOT NULL, "from_time" TIMESTAMP WITH TIME ZONE NOT NULL, "to_time" TIMESTAMP WITH TIME ZONE NOT NULL, "rules_version" text NOT NULL, "model_version" text NOT NULL, "intraday" boolean NOT NULL DEFAULT false, "chunks_total" integer NOT NULL DEFAULT '0', "chunks_done" integer NOT NULL DEFAULT '0', "done_chunks" text array NOT NULL DEFAULT '{}', "points" integer NOT NULL DEFAULT '0', "written" integer NOT NULL DEFAULT '0', "unchanged" integer NOT NULL DEFAULT '0', "params" jsonb NOT NULL DEFAULT '{}', "error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "completed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_signal_replays" PRIMARY KEY ("id"))`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "signal_replays"`);
    await queryRunner.query(`DROP INDEX "signal_history_series_uq"`);
    await queryRunner.query(`DROP TABLE "signal_history"`);
  }
}
