import { scheduleUrl, useAppConfig, workflowUrl } from '../lib/app-config';

export function TemporalLink({ workflowId, scheduleId, children }: { workflowId?: string | null; scheduleId?: string; children?: React.ReactNode }) {
  const config = useAppConfig();
  const href = workflowId ? workflowUrl(config, workflowId) : scheduleId ? scheduleUrl(config, scheduleId) : null;
  const label = children ?? (workflowId ? 'workflow' : 'schedule');
  if (!href)
    return (
      <span className="muted small" title="No Temporal UI known to this server: set TEMPORAL_UI_URL to link it">
        {label}: <code>{workflowId ?? scheduleId}</code>
      </span>
    );
  return (
    <a href={href} target="_blank" rel="noreferrer noopener" className="temporal-link" title={workflowId ?? scheduleId}>
      {label} ↗
    </a>
  );
}

/** The Temporal UI's workflow list for this namespace (every poll, scoring batch, backtest). */
export function TemporalHome() {
  const config = useAppConfig();
  if (!config?.temporalUiUrl) return null;
  return (
    <a href={`${config.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(config.temporalNamespace)}/workflows`} target="_blank" rel="noreferrer noopener" className="temporal-link">
      All workflows in the Temporal UI ↗
    </a>
  );
}
