import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export enum AssetClass {
  EQUITY = 'equity',
  ETF = 'etf',
  CRYPTO = 'crypto',
}
registerEnumType(AssetClass, { name: 'AssetClass' });

/**
 * An instrument an admin added to the ticker universe (beyond the S&P 500 list and the built-in
 * crypto/ETF defaults, which a row with the same symbol replaces). Ticker extraction matches its
 * symbol as a cashtag or exchange tag, its name, and its aliases.
 */
@ObjectType({ simpleResolvers: true })
@Entity('instruments')
export class Instrument {
  /** Normalised: upper case, class shares dotted ("BRK.B"). */
  @Field()
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'PK_instruments_symbol' })
  symbol!: string;

  @Field()
  @Column({ type: 'text' })
  name!: string;

  @Field(() => [String])
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  aliases!: string[];

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  exchange!: string | null;

  @Field(() => AssetClass)
  @Column({ type: 'text', default: AssetClass.EQUITY })
  assetClass!: AssetClass;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  sector!: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  cik!: string | null;

  @Field()
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Field()
  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
