import { Broker } from '../broker/broker.js';
import type { ClientFactory } from './client-factory.js';

/**
 * Opens (or creates) a durable embedded broker in `dataDir` as a {@link ClientFactory} the caller
 * owns and must close. `KafkaStreams` uses it when its config has no `broker`; the streams runtime
 * itself never imports `src/broker`.
 * @example
 * const clients = await openEmbeddedBroker('/var/lib/app/broker');
 * const consumer = clients.consumer({ groupId: 'app' });
 * await clients.close();
 */
export async function openEmbeddedBroker(dataDir: string): Promise<ClientFactory & { close(): Promise<void> }> {
  if (typeof dataDir !== 'string' || dataDir.length === 0) throw new TypeError('openEmbeddedBroker: dataDir must be a non-empty path');
  return Broker.open({ dataDir });
}
