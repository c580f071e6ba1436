import type {
  CommandMethod,
  HostToPanelMessage,
  NotificationMethod,
  PanelCommands,
  PanelNotifications,
  PanelRequests,
  RequestMethod,
} from '../src/core/protocol/panel';
import type { VsCodeApi } from './vscodeApi';

/** Panel side of the typed protocol: requests with responses, commands, notifications. */
export class PanelClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly handlers = new Map<string, Array<(params: unknown) => void>>();

  constructor(private readonly api: VsCodeApi<unknown>) {
    window.addEventListener('message', (event: MessageEvent<HostToPanelMessage>) => this.receive(event.data));
  }

  request<M extends RequestMethod>(method: M, params: PanelRequests[M]['params']): Promise<PanelRequests[M]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.api.postMessage({ kind: 'request', id, method, params });
    });
  }

  command<M extends CommandMethod>(method: M, params: PanelCommands[M]): void {
    this.api.postMessage({ kind: 'command', method, params });
  }

  onNotification<M extends NotificationMethod>(method: M, handler: (params: PanelNotifications[M]) => void): void {
    const list = this.handlers.get(method) ?? [];
    list.push(handler as (params: unknown) => void);
    this.handlers.set(method, list);
  }

  private receive(message: HostToPanelMessage): void {
    if (!message || typeof message !== 'object') return;
    if (message.kind === 'response') {
      const entry = this.pending.get(message.id);
      if (!entry) return;
      this.pending.delete(message.id);
      if (message.ok) entry.resolve(message.result);
      else entry.reject(new Error(message.error));
      return;
    }
    if (message.kind === 'notification') {
      for (const handler of this.handlers.get(message.method) ?? []) handler(message.params);
    }
  }
}
