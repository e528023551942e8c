import { checkAddress, checkUrl, classifyAddress, parseDestinationPolicy, STRICT_POLICY } from './destination-guard';

const refused = (url: string, policy = STRICT_POLICY) => checkUrl(new URL(url), policy)?.reason ?? null;

describe('destination guard (SSRF)', () => {
  it('classifies every internal address, whatever its spelling', () => {
    expect(classifyAddress('127.0.0.1')).toBe('loopback');
    expect(classifyAddress('127.255.3.4')).toBe('loopback');
    expect(classifyAddress('::1')).toBe('loopback');
    expect(classifyAddress('0.0.0.0')).toBe('unspecified');
    expect(classifyAddress('::')).toBe('unspecified');
    expect(classifyAddress('169.254.169.254')).toBe('metadata');
    expect(classifyAddress('fd00:ec2::254')).toBe('metadata');
    expect(classifyAddress('169.254.1.1')).toBe('link-local');
    expect(classifyAddress('fe80::1')).toBe('link-local');
    for (const a of ['10.0.0.1', '172.16.5.5', '192.168.1.1', 'fc00::1']) expect(classifyAddress(a)).toBe('private');
    expect(classifyAddress('100.64.0.1')).toBe('shared');
    expect(classifyAddress('224.0.0.1')).toBe('multicast');
    expect(classifyAddress('255.255.255.255')).toBe('broadcast');
    // IPv4 carried in IPv6: mapped, translated, NAT64, 6to4.
    expect(classifyAddress('::ffff:127.0.0.1')).toBe('loopback');
    expect(classifyAddress('::ffff:7f00:1')).toBe('loopback');
    expect(classifyAddress('::ffff:a9fe:a9fe')).toBe('metadata');
    expect(classifyAddress('64:ff9b::a00:1')).toBe('private');
    expect(classifyAddress('2002:7f00:1::')).toBe('loopback');
    // Decimal, octal and hex IPv4 forms.
    expect(classifyAddress('2130706433')).toBe('loopback');
    expect(classifyAddress('0177.0.0.1')).toBe('loopback');
    expect(classifyAddress('0x7f.1')).toBe('loopback');
    expect(classifyAddress('8.8.8.8')).toBe('public');
    expect(classifyAddress('2606:4700::1111')).toBe('public');
    expect(classifyAddress('64:ff9b::808:808')).toBe('public');
  });

  it('refuses the URLs of issue 11 D12 before anything is resolved', () => {
    for (const url of [
      'http://127.0.0.1/',
      'http://127.0.0.1:5432/',
      'http://localhost/',
      'http://LOCALHOST./x',
      'http://feeds.localhost/',
      'http://[::1]/',
      'http://0.0.0.0/',
      'http://169.254.169.254/latest/meta-data/',
      'http://2130706433/',
      'http://0177.0.0.1/',
      'http://0x7f.1/',
      'http://127.1/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:169.254.169.254]/',
      'http://10.0.0.1/',
      'http://192.168.0.10/',
      'http://metadata.google.internal/',
    ]) {
      expect(refused(url)).toMatch(/^refused: /);
    }
    expect(refused('http://example.com:22/')).toMatch(/^refused: port 22 is not fetched/);
    expect(refused('https://example.com:6379/')).toMatch(/port 6379/);
    expect(refused('https://www.sec.gov/news/pressreleases.rss')).toBeNull();
    expect(refused('http://93.184.216.34/feed')).toBeNull();
  });

  it('the allow-list names exceptions by host, address or CIDR, on any port', () => {
    const policy = parseDestinationPolicy('127.0.0.1, feeds.internal 10.20.0.0/16', '8080');
    expect(refused('http://127.0.0.1:43123/feed', policy)).toBeNull();
    expect(refused('http://[::ffff:127.0.0.1]:43123/feed', policy)).toBeNull();
    expect(refused('http://127.0.0.2/feed', policy)).toMatch(/loopback/);
    expect(refused('http://feeds.internal:9000/x', policy)).toBeNull();
    expect(refused('http://10.20.3.4:1234/x', policy)).toBeNull();
    expect(refused('http://10.21.0.1/x', policy)).toMatch(/private/);
    expect(refused('http://example.com:8080/x', policy)).toBeNull();
    expect(checkAddress('10.20.9.9', policy)).toBeNull();
    expect(checkAddress('10.30.9.9', policy)?.reason).toMatch(/private/);
    expect(() => parseDestinationPolicy('10.0.0.0/99')).toThrow(/CIDR/);
    expect(() => parseDestinationPolicy('exa mple!.com')).toThrow(/neither/);
    expect(() => parseDestinationPolicy('', '70000')).toThrow(/port/);
  });
});
