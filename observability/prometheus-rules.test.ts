/**
 * The Prometheus alert rules (deploy/prometheus/rules): every expression parses with Prometheus'
 * own PromQL grammar, names only metrics this code registers (tidings_*) or the Temporal SDK
 * metrics the dashboard already reads, and every alert says how bad it is and what to do.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { parse } from 'yaml';
import { dashboardQueries, familyOf } from '../test/support/dashboard';
import { createApiMetrics, createWorkerMetrics, PIPELINE_STAGES, processMetrics } from './metrics';

const DEPLOY = path.resolve(__dirname, '..', 'deploy', 'prometheus');
const RULES_DIR = path.join(DEPLOY, 'rules');

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

function rules(): Array<Rule & { file: string }> {
  return fs
    .readdirSync(RULES_DIR)
    .filter((f) => f.endsWith('.yml'))
    .flatMap((file) => (parse(fs.readFileSync(path.join(RULES_DIR, file), 'utf8')) as { groups: Array<{ name: string; rules: Rule[] }> }).groups.flatMap((g) => g.rules.map((r) => ({ ...r, file }))));
}

function parsePromql(expr: string): { errors: string[]; metrics: string[]; stages: string[] } {
  const errors: string[] = [];
  const metrics: string[] = [];
  const stages: string[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) errors.push(`at ${node.from}: "${expr.slice(node.from, node.from + 20)}"`);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') metrics.push(expr.slice(node.from, node.to));
      if (node.name === 'UnquotedLabelMatcher' && /^stage\s*=/.test(expr.slice(node.from, node.to))) stages.push(expr.slice(node.from, node.to).replace(/^stage\s*=\s*"|"$/g, ''));
    },
  });
  return { errors, metrics, stages };
}

describe('Prometheus alert rules', () => {
  const all = rules();

  it('are loaded by the Prometheus config and mounted by docker-compose', () => {
    expect(fs.readFileSync(path.join(DEPLOY, 'prometheus.yml'), 'utf8')).toMatch(/rule_files:\s*\n\s*- \/etc\/prometheus\/rules\/\*\.yml/);
    expect(fs.readFileSync(path.resolve(DEPLOY, '..', '..', 'docker-compose.yml'), 'utf8')).toContain('./deploy/prometheus/rules:/etc/prometheus/rules:ro');
  });

  it('parse as PromQL and reference only metrics that exist', async () => {
    expect(all.length).toBeGreaterThanOrEqual(5);
    const registered = new Map<string, string>();
    for (const registry of [createApiMetrics().registry, createWorkerMetrics().registry, processMetrics()]) {
      for (const metric of await registry.getMetricsAsJSON()) registered.set(metric.name, String(metric.type));
    }
    const histograms = new Set([...registered].filter(([, type]) => type === 'histogram').map(([name]) => name));
    // Temporal SDK names: those the dashboard reads (metrics.test.ts checks them against a live worker).
    const sdk = new Set(dashboardQueries().flatMap((q) => q.metrics).filter((m) => m.startsWith('temporal_')));
    for (const rule of all) {
      const parsed = parsePromql(rule.expr);
      expect({ rule: rule.alert ?? rule.record, errors: parsed.errors }).toEqual({ rule: rule.alert ?? rule.record, errors: [] });
      expect(parsed.metrics.length).toBeGreaterThan(0);
      for (const metric of parsed.metrics) {
        const known = metric.startsWith('tidings_') ? registered.has(familyOf(metric, histograms)) && !histograms.has(metric) : sdk.has(metric);
        expect({ rule: rule.alert ?? rule.record, metric, known }).toEqual({ rule: rule.alert ?? rule.record, metric, known: true });
      }
      for (const stage of parsed.stages) expect(PIPELINE_STAGES).toContain(stage);
    }
  });

  it('alert on every pipeline stage, each with a severity, a duration and what to do', () => {
    const alerts = all.filter((r) => r.alert);
    const covered = new Set(alerts.flatMap((a) => parsePromql(a.expr).stages));
    expect([...covered].sort()).toEqual([...PIPELINE_STAGES].sort());
    for (const a of alerts) {
      expect(['page', 'warning']).toContain(a.labels?.severity);
      expect(a.for).toMatch(/^\d+[smh]$/);
      expect(a.annotations?.summary).toBeTruthy();
      expect(a.annotations?.description).toBeTruthy();
    }
    // The promises of issue 21: alerts and fast scores within 2 s at p99.
    expect(alerts.find((a) => a.alert === 'TidingsAlertLatencyHigh')?.expr).toMatch(/stage="signal_to_webhook".*> 2$/);
    expect(alerts.find((a) => a.alert === 'TidingsFastScoreLatencyHigh')?.expr).toMatch(/stage="stored_to_fast_score".*> 2$/);
  });
});
