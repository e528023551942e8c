import { useEffect, useState } from 'react';

/** What the server tells the app at /app-config.json (no secrets): where the Temporal UI is. */
export interface AppConfig {
  temporalUiUrl: string | null;
  temporalNamespace: string;
}

let cached: Promise<AppConfig> | null = null;
export function loadAppConfig(): Promise<AppConfig> {
  cached ??= fetch('/app-config.json')
    .then((r) => (r.ok ? r.json() : null))
    .then((c: AppConfig | null) => c ?? { temporalUiUrl: null, temporalNamespace: 'default' })
    .catch(() => ({ temporalUiUrl: null, temporalNamespace: 'default' }));
  return cached;
}

export function useAppConfig(): AppConfig | null {
  const [config, setConfig] = useState<AppConfig | null>(null);
  useEffect(() => void loadAppConfig().then(setConfig), []);
  return config;
}

export function workflowUrl(config: AppConfig | null, workflowId: string): string | null {
  if (!config?.temporalUiUrl) return null;
  return `${config.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(config.temporalNamespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

export function scheduleUrl(config: AppConfig | null, scheduleId: string): string | null {
  if (!config?.temporalUiUrl) return null;
  return `${config.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(config.temporalNamespace)}/schedules/${encodeURIComponent(scheduleId)}`;
}
