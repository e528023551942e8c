import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export enum Role {
  ADMIN = 'ADMIN',
  USER = 'USER',
}
registerEnumType(Role, { name: 'Role' });

@ObjectType()
@Entity('users')
export class User {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Stored lower-cased; uniqueness is enforced on that form. */
  @Field()
  @Column({ type: 'text', unique: true })
  email!: string;

  /** bcrypt hash; never exposed (no @Field). */
  @Column({ type: 'text' })
  passwordHash!: string;

  @Field(() => Role)
  @Column({ type: 'text' })
  role!: Role;

  @Field()
  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', nullable: true })
  deactivatedAt!: Date | null;

  @Field()
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
