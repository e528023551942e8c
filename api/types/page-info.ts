import { Field, ObjectType } from 'type-graphql';

/** Relay-style page info shared by every connection type. */
@ObjectType({ simpleResolvers: true })
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}
