import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Emotions (issue 22): the emotion head's class probabilities per article and emotion model version. */
export class ArticleEmotions1765040000000 implements MigrationInterface {
  name = 'ArticleEmotions1765040000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "article_emotions" ("id" BIGSERIAL NOT NULL, "article_id" uuid NOT NULL, "model_version" text NOT NULL, "label" text NOT NULL, "prob_neutral" real NOT NULL, "prob_happy" real NOT NULL, "prob_sad" real NOT NULL, "prob_anger" real NOT NULL, "prob_disgust" real NOT NULL, "prob_surprise" real NOT NULL, "prob_fear" real NOT NULL, "scored_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_3ec133523f8153ee60859a7776c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "article_emotions_article_model_uq" ON "article_emotions" ("article_id", "model_version")`);
    await queryRunner.query(
      `ALTER TABLE "article_emotions" ADD CONSTRAINT "FK_d9d719c644de395f6b33c7326d3" FOREIGN KEY ("article_id") REFERENCES "articles"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "article_emotions"`);
  }
}
