import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Token buckets shared by every API replica. Taking tokens is one function call that locks the
 * bucket row, refills it for the time elapsed and grants up to the number asked for; replicas
 * ask for small batches so most requests never reach the database.
 */
export class RateLimitBuckets1763900000000 implements MigrationInterface {
  name = 'RateLimitBuckets1763900000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "rate_limit_buckets" ("bucket_key" text NOT NULL, "tokens" double precision NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_rate_limit_buckets" PRIMARY KEY ("bucket_key"))`);
    await queryRunner.query(`
      CREATE FUNCTION tidings_take_tokens(p_key text, p_capacity double precision, p_per_second double precision, p_want integer)
      RETURNS TABLE (granted integer, available double precision) LANGUAGE plpgsql AS $$
      DECLARE
        v_tokens double precision;
        v_updated timestamptz;
        v_now timestamptz;
        v_avail double precision;
        v_granted integer;
      BEGIN
        INSERT INTO rate_limit_buckets (bucket_key, tokens, updated_at) VALUES (p_key, p_capacity, clock_timestamp())
          ON CONFLICT (bucket_key) DO NOTHING;
        SELECT b.tokens, b.updated_at INTO v_tokens, v_updated FROM rate_limit_buckets b WHERE b.bucket_key = p_key FOR UPDATE;
        -- Read the clock only once the row is ours, so concurrent callers never refill twice.
        v_now := clock_timestamp();
        v_avail := LEAST(p_capacity, v_tokens + GREATEST(0, EXTRACT(EPOCH FROM (v_now - v_updated))) * p_per_second);
        v_granted := LEAST(p_want, floor(v_avail))::integer;
        UPDATE rate_limit_buckets SET tokens = v_avail - v_granted, updated_at = v_now WHERE bucket_key = p_key;
        RETURN QUERY SELECT v_granted, v_avail - v_granted;
      END $$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION tidings_take_tokens(text, double precision, double precision, integer)`);
    await queryRunner.query(`DROP TABLE "rate_limit_buckets"`);
  }
}
