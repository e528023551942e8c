import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Role, type User } from '../../entities';
import { ApiKeyService } from '../../services/api-key.service';
import { UserService } from '../../services/user.service';

export interface TestIdentity {
  user: User;
  key: string;
  apiKeyId: string;
  password: string;
  /** Headers for stack.gql. */
  headers: Record<string, string>;
  /** connectionParams for stack.ws. */
  params: Record<string, string>;
}

/** A real user and key, made through the same services the API uses (no mocks). */
export async function createIdentity(db: DataSource, role: Role = Role.USER, opts: { expiresAt?: Date } = {}): Promise<TestIdentity> {
  const password = `pw-${randomUUID()}`;
  const user = await new UserService(db).create(`${role.toLowerCase()}-${randomUUID()}@example.test`, password, role);
  const { apiKey, key } = await new ApiKeyService(db).create(user.id, 'test', opts.expiresAt ?? null);
  return { user, key, apiKeyId: apiKey.id, password, headers: { authorization: `Bearer ${key}` }, params: { authorization: `Bearer ${key}` } };
}
