import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Portfolio backtests (issue 23). */
export class PortfolioBacktests1764400000000 implements MigrationInterface {
  name = 'PortfolioBacktests1764400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "portfolio_backtests" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "status" text NOT NULL, "params" jsonb NOT NULL, "result" jsonb, "equity_curve" jsonb, "holdings" jsonb, "stage" text NOT NULL DEFAULT 'QUEUED', "tickers_done" integer NOT NULL DEFAULT '0', "tickers_total" integer NOT NULL DEFAULT '0', "p_value" double precision, "permutations_done" integer NOT NULL DEFAULT '0', "permutations_total" integer NOT NULL DEFAULT '0', "workflow_id" text, "error" text, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "completed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_portfolio_backtests" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "portfolio_backtests_created_idx" ON "portfolio_backtests" ("created_at")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "portfolio_backtests"`);
  }
}
