/**
 * Helpers for the hostile-input tests: a raw POST that keeps the status, body text and headers
 * (bad bodies included), the first error's code, and the check that nothing internal leaks.
 */
export type Body = { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
export const code = (r: Body) => r.errors?.[0]?.extensions?.code;
export const b64 = (s: string) => Buffer.from(s).toString('base64url');

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Body; text: string; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let parsed: Body = {};
  try {
    parsed = JSON.parse(text) as Body;
  } catch {
    /* not JSON: the assertions below say so */
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

/** Nothing internal in a client-facing error: no stack frames, file paths, addresses or driver text. */
export function expectNothingInternal(text: string) {
  expect(text).not.toMatch(/\bat [\w.<>]+ \(|stacktrace|\/work\/|node_modules|ECONNREFUSED|127\.0\.0\.1:\d+|invalid byte sequence/);
}
