import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ticker universe beyond the S&P 500: admin-managed instruments (equity, ETF, crypto) with
 * aliases; whether an article's ticker is a known instrument or an unknown cashtag kept as
 * unverified; and the feed item's author and categories, which were parsed and then dropped.
 */
export class TickerUniverse1764312000000 implements MigrationInterface {
  name = 'TickerUniverse1764312000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "instruments" ("symbol" text NOT NULL, "name" text NOT NULL, "aliases" text array NOT NULL DEFAULT '{}', "exchange" text, "asset_class" text NOT NULL DEFAULT 'equity', "sector" text, "cik" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_instruments_symbol" PRIMARY KEY ("symbol"))`,
    );
    await queryRunner.query(`ALTER TABLE "article_tickers" ADD "verified" boolean NOT NULL DEFAULT true`);
    await queryRunner.query(`ALTER TABLE "articles" ADD "author" text`);
    await queryRunner.query(`ALTER TABLE "articles" ADD "categories" text array NOT NULL DEFAULT '{}'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "articles" DROP COLUMN "categories"`);
    await queryRunner.query(`ALTER TABLE "articles" DROP COLUMN "author"`);
    await queryRunner.query(`ALTER TABLE "article_tickers" DROP COLUMN "verified"`);
    await queryRunner.query(`DROP TABLE "instruments"`);
  }
}
