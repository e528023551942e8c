import { Field, Float, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryColumn } from 'typeorm';

@ObjectType()
@Entity('price_bars')
export class PriceBar {
  @Field()
  @PrimaryColumn({ type: 'text' })
  ticker!: string;

  /** Bar length, e.g. '1d' or '1h'. */
  @Field()
  @PrimaryColumn({ type: 'text' })
  interval!: string;

  @Field()
  @PrimaryColumn({ type: 'timestamptz' })
  time!: Date;

  @Field(() => Float)
  @Column({ type: 'double precision' })
  open!: number;

  @Field(() => Float)
  @Column({ type: 'double precision' })
  high!: number;

  @Field(() => Float)
  @Column({ type: 'double precision' })
  low!: number;

  @Field(() => Float)
  @Column({ type: 'double precision' })
  close!: number;

  @Field(() => Float, { nullable: true })
  @Column({ type: 'double precision', nullable: true })
  volume!: number | null;
}
