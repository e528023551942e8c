import { Client, Connection } from '@temporalio/client';

export interface TemporalClientHandle {
  client: Client;
  connection: Connection;
  close(): Promise<void>;
}

export async function connectTemporalClient(address: string, namespace: string): Promise<TemporalClientHandle> {
  const connection = await Connection.connect({ address, connectTimeout: 5000 });
  const client = new Client({ connection, namespace });
  return { client, connection, close: () => connection.close() };
}

/** Is the frontend up and does it know our namespace? Used by /ready. */
export async function temporalReachable(connection: Connection, namespace: string, timeoutMs = 2000): Promise<void> {
  await connection.withDeadline(Date.now() + timeoutMs, () => connection.workflowService.describeNamespace({ namespace }));
}
