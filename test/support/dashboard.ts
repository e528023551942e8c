/**
 * The Grafana dashboard's PromQL, read with Prometheus' own PromQL grammar (lezer-promql):
 * syntax errors surface, and metric names come from vector selectors, not from a regex.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';

export const DASHBOARD_FILE = path.resolve(__dirname, '..', '..', 'deploy', 'grafana', 'dashboards', 'tidings.json');

export interface DashboardPanel {
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Array<{ expr: string; datasource?: { uid: string } }>;
}

export function readDashboard(): { uid: string; title: string; panels: DashboardPanel[] } {
  return JSON.parse(fs.readFileSync(DASHBOARD_FILE, 'utf8'));
}

export interface ParsedQuery {
  panel: string;
  expr: string;
  syntaxErrors: string[];
  metrics: string[];
}

export function dashboardQueries(): ParsedQuery[] {
  return readDashboard().panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => {
      const syntaxErrors: string[] = [];
      const metrics: string[] = [];
      parser.parse(target.expr).iterate({
        enter(node) {
          if (node.type.isError) syntaxErrors.push(`at ${node.from}: "${target.expr.slice(node.from, node.from + 20)}"`);
          if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') metrics.push(target.expr.slice(node.from, node.to));
        },
      });
      return { panel: panel.title, expr: target.expr, syntaxErrors, metrics };
    }),
  );
}

/** A histogram or summary series name (x_bucket, x_sum, x_count) to its family (x). */
export function familyOf(metric: string, histogramFamilies: Set<string>): string {
  const base = metric.replace(/_(bucket|sum|count)$/, '');
  return base !== metric && histogramFamilies.has(base) ? base : metric;
}
