import { decodeCursor, encodeCursor } from './cursor';
import { ServiceError } from './errors';

const b64 = (s: string) => Buffer.from(s).toString('base64url');
const ID = '00000000-0000-0000-0000-000000000000';

describe('page cursors', () => {
  it('round-trips what encodeCursor writes', () => {
    const time = new Date('2024-02-29T12:34:56.789Z');
    expect(decodeCursor(encodeCursor(time, ID))).toEqual({ time: time.toISOString(), id: ID });
  });

  it.each([
    ['a bare number as the time (issue 11, D9)', b64(`1|${ID}`)],
    ['an impossible date', b64(`2024-02-30T00:00:00.000Z|${ID}`)],
    ['a six-digit year', b64(`+275760-09-13T00:00:00.000Z|${ID}`)],
    ['year zero', b64(`0000-01-01T00:00:00.000Z|${ID}`)],
    ['a date without time', b64(`2024-01-01|${ID}`)],
    ['not a UUID', b64('2024-01-01T00:00:00.000Z|0000000000000000000000000000000000-0')],
    ['three parts', b64(`2024-01-01T00:00:00.000Z|${ID}|x`)],
    ['not base64url', 'a b'],
    ['empty', ''],
  ])('refuses %s with BAD_USER_INPUT on after', (_name, cursor) => {
    let error: unknown;
    try {
      decodeCursor(cursor);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ServiceError);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});
