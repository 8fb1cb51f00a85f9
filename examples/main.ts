/**
 * `npm start`: runs the examples as KafkaStreams apps on the embedded broker —
 * 1. the page-view filter (stateless: filter, map, split, to);
 * 2. a word count and a windowed page-view count (LevelDB stores, changelogs, interactive queries).
 * The broker on its own: `npx tsx examples/broker-demo.ts`.
 */
import { main as statefulDemo } from './stateful-demo.js';
import { main as statelessDemo } from './stateless-demo.js';

console.log('== 1. stateless: the page-view filter ==');
await statelessDemo();
console.log('\n== 2. stateful: word count and windowed page-view counts ==');
await statefulDemo();
