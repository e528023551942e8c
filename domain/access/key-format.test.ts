import crypto from 'node:crypto';
import { generateApiKey, hashSecret, keyFromAuthorization, parseApiKey, secretMatches } from './key-format';

describe('API key format', () => {
  it('generates tdg_<24 hex>_<43 base64url> keys that parse back to their lookup id and hash', () => {
    const { key, lookupId, secretHash } = generateApiKey();
    expect(key).toMatch(/^tdg_[0-9a-f]{24}_[A-Za-z0-9_-]{43}$/);
    const parsed = parseApiKey(key)!;
    expect(parsed.lookupId).toBe(lookupId);
    expect(parsed.secret).toHaveLength(32);
    expect(hashSecret(parsed.secret).equals(secretHash)).toBe(true);
    expect(secretMatches(parsed.secret, secretHash)).toBe(true);
    expect(key).not.toContain(secretHash.toString('hex'));
  });

  it('hashes secrets with plain SHA-256, so hashes already stored keep matching', () => {
    expect(hashSecret(Buffer.from('abc')).toString('hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const secret = Buffer.alloc(32, 7);
    expect(hashSecret(secret).equals(crypto.createHash('sha256').update(secret).digest())).toBe(true);
  });

  it('rejects malformed keys without throwing', () => {
    const { key } = generateApiKey();
    for (const bad of ['', 'tdg_', key.slice(0, -1), key + 'x', key.replace('tdg_', 'tdx_'), key.toUpperCase(), 'tdg_zz_zz', null, undefined]) {
      expect(parseApiKey(bad as string)).toBeNull();
    }
  });

  it('a different secret for the same lookup id does not match', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(secretMatches(parseApiKey(b.key)!.secret, a.secretHash)).toBe(false);
    expect(secretMatches(parseApiKey(a.key)!.secret, Buffer.alloc(3))).toBe(false);
  });

  it('reads Bearer headers and bare keys', () => {
    expect(keyFromAuthorization('Bearer abc')).toBe('abc');
    expect(keyFromAuthorization('bearer   abc ')).toBe('abc');
    expect(keyFromAuthorization('abc')).toBe('abc');
    expect(keyFromAuthorization(undefined)).toBeNull();
    expect(keyFromAuthorization(42)).toBeNull();
    expect(keyFromAuthorization('  ')).toBeNull();
  });
});
