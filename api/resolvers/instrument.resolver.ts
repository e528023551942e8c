import { ArrayMaxSize, MaxLength } from 'class-validator';
import { Arg, Authorized, Ctx, Field, InputType, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { AssetClass, Instrument, Role } from '../../entities';
import type { GraphQLContext } from '../context';

@InputType()
class InstrumentInput {
  @Field({ description: 'e.g. "BYND", "BRK.B", "BTC"; normalised to upper case with a dotted class suffix.' })
  @MaxLength(20)
  symbol!: string;

  @Field({ description: 'Listing name, e.g. "Beyond Meat, Inc."; legal suffixes are stripped for matching.' })
  @MaxLength(200)
  name!: string;

  @Field(() => [String], { nullable: true, description: 'Further names matched exactly as written (case-sensitive), e.g. "Beyond Meat".' })
  @ArrayMaxSize(20)
  @MaxLength(100, { each: true })
  aliases?: string[];

  @Field(() => String, { nullable: true })
  @MaxLength(40)
  exchange?: string;

  @Field(() => AssetClass, { nullable: true, defaultValue: AssetClass.EQUITY })
  assetClass?: AssetClass;

  @Field(() => String, { nullable: true, description: 'GICS sector, used by sectorSentiment.' })
  @MaxLength(100)
  sector?: string;

  @Field(() => String, { nullable: true })
  @MaxLength(10)
  cik?: string;
}

@ObjectType({ simpleResolvers: true })
class UniverseInstrument {
  @Field()
  symbol!: string;

  @Field()
  name!: string;

  @Field(() => [String])
  aliases!: string[];

  @Field(() => String, { nullable: true })
  exchange!: string | null;

  @Field(() => AssetClass)
  assetClass!: AssetClass;

  @Field(() => String, { nullable: true })
  sector!: string | null;

  @Field({ description: "'admin' (the instruments table), 'default' (built-in crypto/ETF), 'sp500', or 'listed' (us_listed.csv)." })
  source!: string;
}

@Resolver(() => Instrument)
export class InstrumentResolver {
  @Authorized()
  @Query(() => [Instrument], { description: 'Instruments admins added to the ticker universe (the S&P 500 list and built-in defaults are not listed).' })
  instruments(@Ctx() ctx: GraphQLContext): Promise<Instrument[]> {
    return ctx.services.instruments.list();
  }

  @Authorized()
  @Query(() => UniverseInstrument, { nullable: true, description: 'A symbol as ticker extraction knows it; null when unknown (its cashtags are kept as unverified).' })
  instrument(@Arg('symbol') symbol: string, @Ctx() ctx: GraphQLContext): Promise<UniverseInstrument | null> {
    return ctx.services.instruments.lookup(symbol);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Instrument, { description: 'Adds an instrument, or replaces the one with this symbol. Used by ticker extraction from the next poll or import on; stored articles are not re-tagged.' })
  addInstrument(@Arg('input', () => InstrumentInput) input: InstrumentInput, @Ctx() ctx: GraphQLContext): Promise<Instrument> {
    return ctx.services.instruments.upsert(input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Boolean)
  removeInstrument(@Arg('symbol') symbol: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    return ctx.services.instruments.remove(symbol);
  }
}
