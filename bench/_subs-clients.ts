/**
 * Client side of `npm run bench -- subscriptions`, in child processes so that 20,000 sockets
 * stay under each process's file-descriptor limit. Minimal clients on purpose (no client
 * library, one regex per message) so the figure is the servers' delivery time.
 *
 * IPC protocol with the parent:
 *   parent -> { type: 'connect', groups: ClientGroup[], localAddress }  child -> { type: 'connected', sockets }
 *   child  -> { type: 'done', key }  once every socket of the key's group received that event
 *   parent -> { type: 'report' }     child -> { type: 'report', received: Record<key, number[]> }
 * Keys are `${group.name}:${eventId}`; times are epoch milliseconds with sub-ms precision.
 */
import WebSocket from 'ws';

export interface ClientGroup {
  /** 'graphql' or 'raw': which kind of server, and the prefix of the keys reported. */
  name: string;
  url: string;
  count: number;
  /** graphql-transport-ws: connection_init payload and the subscribe message to send after the ack. */
  graphql?: { initPayload: Record<string, unknown>; subscribe: string };
}

type ParentMessage = { type: 'connect'; groups: ClientGroup[]; localAddress?: string } | { type: 'report' };

const ID = /"id":"([0-9a-f-]{36})"/;
const received = new Map<string, number[]>();
const sockets: WebSocket[] = [];

function connectOne(group: ClientGroup, localAddress: string | undefined): Promise<void> {
  const socket = new WebSocket(group.url, group.graphql ? 'graphql-transport-ws' : undefined, { localAddress, perMessageDeflate: false });
  sockets.push(socket);
  return new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('close', (code, reason) => reject(new Error(`${group.name} socket closed ${code} ${reason}`)));
    socket.once('open', () => {
      if (group.graphql) socket.send(JSON.stringify({ type: 'connection_init', payload: group.graphql.initPayload }));
      else resolve();
    });
    socket.on('message', (data: Buffer) => {
      const at = performance.timeOrigin + performance.now();
      const text = data.toString();
      if (group.graphql && text.startsWith('{"type":"connection_ack"')) {
        socket.send(group.graphql.subscribe);
        resolve();
        return;
      }
      const m = ID.exec(text);
      if (!m) return;
      const key = `${group.name}:${m[1]}`;
      let list = received.get(key);
      if (!list) received.set(key, (list = []));
      list.push(at);
      if (list.length === group.count) process.send?.({ type: 'done', key });
    });
  });
}

process.on('message', async (msg: ParentMessage) => {
  if (msg.type === 'connect') {
    try {
      for (const group of msg.groups) {
        for (let i = 0; i < group.count; i += 250) {
          await Promise.all(Array.from({ length: Math.min(250, group.count - i) }, () => connectOne(group, msg.localAddress)));
        }
      }
      process.send?.({ type: 'connected', sockets: sockets.length });
    } catch (err) {
      process.send?.({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  } else if (msg.type === 'report') {
    process.send?.({ type: 'report', received: Object.fromEntries(received) });
  }
});
process.on('disconnect', () => {
  for (const socket of sockets) socket.terminate();
  process.exit(0);
});
