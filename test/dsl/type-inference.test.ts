import { describe, expectTypeOf, it } from 'vitest';
import { Consumed } from '../../dsl/consumed.js';
import { KeyValue } from '../../dsl/key-value.js';
import type { KStream } from '../../dsl/kstream.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { Serdes } from '../../src/serdes/serdes.js';

interface Click {
  kind: 'click';
  x: number;
}
interface View {
  kind: 'view';
  page: string;
}
type Event = Click | View;

const stream = () => new StreamsBuilder().stream('events', Consumed.with(Serdes.string(), Serdes.json<Event>()));

describe('dsl > type inference', () => {
  it('stream() takes K and V from Consumed', () => {
    expectTypeOf(stream()).toEqualTypeOf<KStream<string, Event>>();
  });

  it('mapValues changes only V', () => {
    expectTypeOf(stream().mapValues((e) => e.kind)).toEqualTypeOf<KStream<string, 'click' | 'view'>>();
    expectTypeOf(stream().mapValues((_e, key) => key.length)).toEqualTypeOf<KStream<string, number>>();
  });

  it('a type-guard filter narrows V; a boolean filter keeps it', () => {
    expectTypeOf(stream().filter((_k, e): e is Click => e.kind === 'click')).toEqualTypeOf<KStream<string, Click>>();
    expectTypeOf(stream().filter((k) => k.length > 0)).toEqualTypeOf<KStream<string, Event>>();
    // TypeScript >= 5.5 infers the guard from the body, so this narrows too:
    expectTypeOf(stream().filter((_k, e) => e.kind === 'click')).toEqualTypeOf<KStream<string, Click>>();
  });

  it('map and selectKey change K (and V for map); flatMapValues flattens', () => {
    expectTypeOf(stream().map((k, e) => KeyValue.pair(e.kind, k.length))).toEqualTypeOf<KStream<'click' | 'view', number>>();
    expectTypeOf(stream().selectKey((_k, e) => e.kind === 'click')).toEqualTypeOf<KStream<boolean, Event>>();
    expectTypeOf(stream().flatMapValues((e) => [e, e])).toEqualTypeOf<KStream<string, Event>>();
    expectTypeOf(stream().flatMap((k) => [KeyValue.pair(1, k)])).toEqualTypeOf<KStream<number, string>>();
  });

  it('split branches keep K and V', () => {
    const branches = stream().split().branch(() => true).defaultBranch();
    expectTypeOf(branches).toEqualTypeOf<{ [name: string]: KStream<string, Event> }>();
  });
});
