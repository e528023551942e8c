import { Client, Connection } from '@temporalio/client';

export interface TemporalClientHandle {
  client: Client;
  connection: Connection;
  close(): Promise<void>;
}

export async function connectTemporalClient(address: string, namespace: string): Promise<TemporalClientHandle> {
  const connection = await Connection.connect({ address, connectTimeout: 5000 });
  // connect() checks the server inside `withDeadline`, whose AsyncLocalStorage.run() switches on
  // promise hooks for the whole process on Node 20: every promise of every API request then
  // paid for them (several times the cost of a bare promise; `npm run bench -- graphql`). The
  // check is over and nothing of ours runs in that context, so the storage is switched off
  // again; a later withDeadline/withMetadata would switch it back on, for as long as it is used.
  connection.callContextStorage.disable();
  const client = new Client({ connection, namespace });
  return { client, connection, close: () => connection.close() };
}

/**
 * Is the frontend up and does it know our namespace? Used by /ready and at start-up.
 * A plain timer rather than `connection.withDeadline`: that runs through an AsyncLocalStorage,
 * and one use on Node 20 switches on promise hooks for the whole process, a cost every promise
 * of the API would then pay for a health check that does not need it.
 */
export async function temporalReachable(connection: Connection, namespace: string, timeoutMs = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      connection.workflowService.describeNamespace({ namespace }),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Temporal did not answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
