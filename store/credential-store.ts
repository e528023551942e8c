/** Credential changes as stored (api_keys, users), each announced to every API process on commit. */
import type { DataSource } from 'typeorm';
import { publishEvent } from '../events/publish';
import { ALL_KEY, Topic } from '../events/topics';

/** Revokes the key (keeps the first revocation time) and announces it, in one transaction. */
export async function revokeApiKey(db: DataSource, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1', [id]);
    await publishEvent(tx, Topic.CREDENTIALS_REVOKED, ALL_KEY, { apiKeyId: id });
  });
}

/** Fire-and-forget bookkeeping: the key's last use. */
export function touchApiKey(db: DataSource, id: string): Promise<unknown> {
  return db.query('UPDATE api_keys SET last_used_at = now() WHERE id = $1', [id]);
}

/** The new user's id, or null when the email is taken. */
export async function insertUser(db: DataSource, email: string, passwordHash: string, role: string): Promise<string | null> {
  const inserted: Array<{ id: string }> = await db.query(`INSERT INTO users (email, password_hash, role) VALUES ($1, $2, $3) ON CONFLICT (email) DO NOTHING RETURNING id`, [
    email,
    passwordHash,
    role,
  ]);
  return inserted[0]?.id ?? null;
}

/** Deactivates the user and announces it in one transaction; false (nothing changed) when there is no such user. */
export async function deactivateUser(db: DataSource, id: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const rows: unknown[] = await tx.query(`UPDATE users SET active = false, deactivated_at = COALESCE(deactivated_at, now()), updated_at = now() WHERE id = $1 RETURNING id`, [id]);
    const updated = Array.isArray(rows[0]) ? (rows[0] as unknown[]).length : rows.length;
    if (updated === 0) return false;
    await publishEvent(tx, Topic.CREDENTIALS_REVOKED, ALL_KEY, { userId: id });
    return true;
  });
}
