/**
 * Where the streams runtime gets its clients. The embedded `Broker` satisfies this interface as it is;
 * a client for a real Kafka cluster (over the wire protocol) implements it too, so an application runs
 * on either without change. The runtime imports this, never `src/broker`.
 */
import type { Admin, Consumer, ConsumerOptions, Producer, ProducerOptions } from '../core/client.js';

export interface ClientFactory {
  producer(opts?: ProducerOptions): Producer;
  consumer(opts: ConsumerOptions): Consumer;
  admin(): Admin;
}
