/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for tests.
 *
 * Why not an npm parser: parse-prometheus-text-format (the one on the registry) accepts any
 * garbage line as an untyped sample and merges the series of a labelled histogram into one,
 * so it can neither reject bad text nor read our histograms. This follows the format's spec
 * (https://prometheus.io/docs/instrumenting/exposition_formats/) and fails on anything that
 * Prometheus' own parser would refuse: bad names, label syntax or escapes, unparsable values,
 * a family declared twice, samples of one family split up, histogram series without their
 * +Inf bucket or with buckets that are not cumulative.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

function parseValue(raw: string, where: string): number {
  // Go's strconv.ParseFloat, which Prometheus uses: NaN and Inf in any case.
  if (/^[+-]?inf$/i.test(raw)) return raw.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(raw)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) throw new Error(`bad value "${raw}" (${where})`);
  return Number(raw);
}

function parseSample(line: string, where: string): Sample {
  const name = NAME.exec(line)?.[0];
  if (!name) throw new Error(`bad metric name (${where})`);
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = rest.slice(1);
    while (!rest.startsWith('}')) {
      const label = LABEL_NAME.exec(rest)?.[0];
      if (!label || rest[label.length] !== '=' || rest[label.length + 1] !== '"') throw new Error(`bad label (${where})`);
      rest = rest.slice(label.length + 2);
      let value = '';
      for (;;) {
        const c = rest[0];
        if (c === undefined || c === '\n') throw new Error(`unterminated label value (${where})`);
        if (c === '"') break;
        if (c === '\\') {
          const next = rest[1];
          if (next === 'n') value += '\n';
          else if (next === '\\' || next === '"') value += next;
          else throw new Error(`bad escape in label value (${where})`);
          rest = rest.slice(2);
          continue;
        }
        value += c;
        rest = rest.slice(1);
      }
      rest = rest.slice(1);
      if (label in labels) throw new Error(`label ${label} twice (${where})`);
      labels[label] = value;
      if (rest.startsWith(',')) rest = rest.slice(1);
      else if (!rest.startsWith('}')) throw new Error(`expected , or } (${where})`);
    }
    rest = rest.slice(1);
  }
  const parts = rest.split(' ').filter((p, i) => i === 0 || p !== '');
  if (parts[0] !== '' || parts.length < 2 || parts.length > 3) throw new Error(`expected " value [timestamp]" (${where})`);
  if (parts[2] !== undefined && !/^-?\d+$/.test(parts[2])) throw new Error(`bad timestamp (${where})`);
  return { name, labels, value: parseValue(parts[1], where) };
}

const SUFFIXES: Record<MetricFamily['type'], string[]> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

/** Parses the whole text or throws with the offending line. */
export function parseExposition(text: string): MetricFamily[] {
  const families: MetricFamily[] = [];
  const byName = new Map<string, MetricFamily>();
  const closed = new Set<string>();
  let current: MetricFamily | undefined;
  const family = (name: string): MetricFamily => {
    if (closed.has(name)) throw new Error(`family ${name} is split: it appears again after another family`);
    let f = byName.get(name);
    if (!f) {
      f = { name, help: '', type: 'untyped', samples: [] };
      byName.set(name, f);
      families.push(f);
    }
    if (current && current !== f) closed.add(current.name);
    current = f;
    return f;
  };
  text.split('\n').forEach((line, i) => {
    const where = `line ${i + 1}: ${line.slice(0, 120)}`;
    if (line.trim() === '') return;
    const meta = /^#\s*(HELP|TYPE)\s+(\S+)\s?(.*)$/.exec(line);
    if (meta) {
      if (!NAME.test(meta[2]) || NAME.exec(meta[2])![0] !== meta[2]) throw new Error(`bad metric name (${where})`);
      const f = family(meta[2]);
      if (meta[1] === 'TYPE') {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(meta[3])) throw new Error(`bad type (${where})`);
        if (f.samples.length > 0 || f.type !== 'untyped') throw new Error(`TYPE after samples or twice (${where})`);
        f.type = meta[3] as MetricFamily['type'];
      } else {
        f.help = meta[3];
      }
      return;
    }
    if (line.startsWith('#')) return;
    const sample = parseSample(line, where);
    const owner = current && SUFFIXES[current.type].some((s) => sample.name === current!.name + s) ? current : family(sample.name);
    owner.samples.push(sample);
  });
  for (const f of families.filter((f) => f.type === 'histogram')) checkHistogram(f);
  return families;
}

function checkHistogram(f: MetricFamily): void {
  const series = new Map<string, { buckets: Array<[number, number]>; count?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    let entry = series.get(key);
    if (!entry) series.set(key, (entry = { buckets: [] }));
    if (s.name.endsWith('_bucket')) entry.buckets.push([parseValue(le ?? 'x', `${f.name} le`), s.value]);
    if (s.name.endsWith('_count')) entry.count = s.value;
  }
  for (const [key, { buckets, count }] of series) {
    const inf = buckets.find(([le]) => le === Infinity);
    if (!inf || inf[1] !== count) throw new Error(`histogram ${f.name}${key}: +Inf bucket missing or not equal to _count`);
    const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
    sorted.forEach(([, v], i) => {
      if (i > 0 && v < sorted[i - 1][1]) throw new Error(`histogram ${f.name}${key}: buckets not cumulative`);
    });
  }
}

const sameLabels = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(b).every(([k, v]) => a[k] === v);

/** The value of the sample `name` (histograms: `x_count`, `x_sum`, `x_bucket`) with exactly `labels`; 0 when absent. */
export function sampleValue(families: MetricFamily[], name: string, labels: Record<string, string> = {}): number {
  for (const f of families) for (const s of f.samples) if (s.name === name && sameLabels(s.labels, labels)) return s.value;
  return 0;
}

/** The sum of every `name` sample whose labels include `labels`. */
export function sampleSum(families: MetricFamily[], name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const f of families) for (const s of f.samples) if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) sum += s.value;
  return sum;
}
