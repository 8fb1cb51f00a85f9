/**
 * `npm start`: the page-view filter topology running as a KafkaStreams app on the embedded broker.
 * The broker on its own: `npx tsx examples/broker-demo.ts`.
 */
import { main as streamsDemo } from './stateless-demo.js';

await streamsDemo();
