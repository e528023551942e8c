import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Parameter sweeps and walk-forward runs (issue 16), with one result row per swept configuration. */
export class ParameterSweeps1764200000000 implements MigrationInterface {
  name = 'ParameterSweeps1764200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "parameter_sweeps" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "kind" text NOT NULL, "name" text NOT NULL, "status" text NOT NULL, "params" jsonb NOT NULL, "configs_total" integer NOT NULL DEFAULT '0', "best_index" integer, "p_value" double precision, "p_value_best_alone" double precision, "permutations_done" integer NOT NULL DEFAULT '0', "result" jsonb, "workflow_id" text, "error" text, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "completed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_parameter_sweeps" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "parameter_sweeps_created_idx" ON "parameter_sweeps" ("created_at")`);
    await queryRunner.query(`CREATE TABLE "parameter_sweep_results" ("sweep_id" uuid NOT NULL, "config_index" integer NOT NULL, "statistic" double precision NOT NULL, "metrics" jsonb NOT NULL, "computed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_parameter_sweep_results" PRIMARY KEY ("sweep_id", "config_index"))`);
    await queryRunner.query(`CREATE INDEX "parameter_sweep_results_rank_idx" ON "parameter_sweep_results" ("sweep_id", "statistic")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "parameter_sweep_results"`);
    await queryRunner.query(`DROP TABLE "parameter_sweeps"`);
  }
}
