import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** How a price source's files are read: detected (the formats importPrices reads) or a fixed delimiter. */
export enum PriceFormat {
  AUTO = 'AUTO',
  CSV = 'CSV',
  TSV = 'TSV',
  SEMICOLON = 'SEMICOLON',
}
registerEnumType(PriceFormat, { name: 'PriceFormat' });

/** A daily-bar CSV endpoint: a URL template with {ticker}, the tickers to follow, a Temporal Schedule. */
@ObjectType()
@Entity('price_sources')
export class PriceSource {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Field()
  @Column({ type: 'text', unique: true })
  name!: string;

  @Field({ description: 'e.g. https://stooq.com/q/d/l/?s={ticker}&i=d' })
  @Column({ type: 'text' })
  urlTemplate!: string;

  @Field(() => PriceFormat)
  @Column({ type: 'text', default: PriceFormat.AUTO })
  format!: PriceFormat;

  @Field()
  @Column({ type: 'text', default: '1d' })
  interval!: string;

  @Field(() => [String])
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tickers!: string[];

  @Field({ description: 'Cron (UTC) of the fetch schedule; default after the US close.' })
  @Column({ type: 'text' })
  cron!: string;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  lastRunAt!: Date | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  lastError!: string | null;

  @Field(() => Int)
  @Column({ type: 'integer', default: 0 })
  barsStored!: number;

  @Field()
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
