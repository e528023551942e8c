import { GraphQLJSON } from 'graphql-scalars';
import { Field, Float, ObjectType, registerEnumType } from 'type-graphql';
import { Column } from 'typeorm';

export enum SignalType {
  BUY = 'BUY',
  SELL = 'SELL',
  HOLD = 'HOLD',
}
registerEnumType(SignalType, { name: 'SignalType' });

export enum RiskLevel {
  LOW = 'LOW',
  MEDIUM = 'MEDIUM',
  HIGH = 'HIGH',
}
registerEnumType(RiskLevel, { name: 'RiskLevel' });

/*
 * What a signal says, in one home: the columns the live `signals` table and the replayed
 * `signal_history` table both store. An abstract base class rather than a TypeORM embedded column
 * (see run-columns.ts for why): property paths, column names and GraphQL fields stay as they were.
 * Each table keeps its own primary key and what only it has (live: params, createdAt; history:
 * versions, replay id, computedAt). `asOf` and `modelVersions` are the same columns in both but
 * stay in each entity: their GraphQL descriptions differ (history documents them, live does not),
 * and a subclass cannot redeclare a decorated field under useDefineForClassFields without
 * shadowing it. Not an entity, and type-graphql emits only the types the resolvers reach, so it
 * never appears in the schema.
 *
 * `simpleResolvers`: inherited fields keep the parent type's resolvers, and `Signal` is read in
 * bulk with simple resolvers (api/schema.ts explains why that changes only cost per field).
 */
@ObjectType({ simpleResolvers: true })
export abstract class SignalColumns {
  @Field()
  @Column({ type: 'text' })
  ticker!: string;

  @Field(() => SignalType)
  @Column({ type: 'text' })
  type!: SignalType;

  @Field(() => Float)
  @Column({ type: 'real' })
  confidence!: number;

  @Field(() => RiskLevel)
  @Column({ type: 'text' })
  riskLevel!: RiskLevel;

  @Field(() => Float)
  @Column({ type: 'real' })
  suggestedPositionSize!: number;

  @Field(() => GraphQLJSON)
  @Column({ type: 'jsonb', default: () => "'{}'" })
  features!: Record<string, unknown>;
}
