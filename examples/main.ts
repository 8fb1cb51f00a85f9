/** `npm start`: runs the demo on the embedded broker and prints what it did. */
import { main as brokerDemo } from './broker-demo.js';

await brokerDemo();
