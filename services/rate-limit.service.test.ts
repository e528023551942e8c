import { leaseSize, retryAfterSeconds } from './rate-limit.service';

describe('token bucket arithmetic', () => {
  it('leases about 5% of a minute, between 1 and 100 tokens', () => {
    expect(leaseSize(5)).toBe(1);
    expect(leaseSize(60)).toBe(3);
    expect(leaseSize(600)).toBe(30);
    expect(leaseSize(1_000_000)).toBe(100);
  });

  it('retry-after is the time to refill one whole token, at least one second', () => {
    expect(retryAfterSeconds(0, 60)).toBe(1); // one token per second
    expect(retryAfterSeconds(0, 6)).toBe(10); // one per 10 s
    expect(retryAfterSeconds(0.5, 6)).toBe(5);
    expect(retryAfterSeconds(0.99, 6000)).toBe(1);
  });
});
