import { Serdes } from '../../src/serdes/serdes.js';
import { InMemoryKeyValueStore } from '../../state/in-memory-key-value-store.js';
import type { RestorableStore } from '../../state/key-value-entry.js';
import type { KeyValueStore } from '../../state/key-value-store.js';
import { LevelKeyValueStore } from '../../state/level-key-value-store.js';
import { Stores } from '../../state/stores.js';
import type { TaskStateDb } from '../../state/task-state-db.js';
import { FakeStoreContext, openTaskDb, tempDir } from '../state/fake-store-context.js';
import { keyValueStoreContract, type KeyValueHarness, type KeyValueImplementation } from './key-value-store.contract.js';

type Make = () => KeyValueStore<Buffer, Buffer> & RestorableStore;

async function harness(make: Make, persistent: boolean): Promise<KeyValueHarness> {
  const tmp = tempDir();
  const db: TaskStateDb | undefined = persistent ? await openTaskDb(tmp.dir) : undefined;
  const ctx = new FakeStoreContext('0_0', tmp.dir, db);
  const start = async (): Promise<KeyValueHarness> => {
    const store = make();
    await store.init(ctx, store);
    const h: KeyValueHarness = {
      store,
      async commit() {
        await store.flush();
        await db?.commit(new Map([['app-store-changelog-0', ctx.changelog.length]]));
      },
      async reopen() {
        await store.close();
        return start();
      },
      changelog: () => ctx.recordsOf('store'),
      async dispose() {
        await store.close();
        if (db?.isOpen()) await db.close();
        tmp.cleanup();
      },
    };
    return h;
  };
  return start();
}

const inners = [
  { kind: 'in-memory', persistent: false, supplier: () => Stores.inMemoryKeyValueStore('store') },
  { kind: 'LevelDB', persistent: true, supplier: () => Stores.persistentKeyValueStore('store') },
];

const implementations: KeyValueImplementation[] = [
  { name: 'InMemoryKeyValueStore', supports: { persistent: false, logging: false },
    open: () => harness(() => new InMemoryKeyValueStore('store'), false) },
  { name: 'LevelKeyValueStore', supports: { persistent: true, logging: false },
    open: () => harness(() => new LevelKeyValueStore('store'), true) },
];
for (const inner of inners) {
  for (const caching of [false, true]) {
    for (const logging of [false, true]) {
      let builder = Stores.keyValueStoreBuilder(inner.supplier(), Serdes.bytes(), Serdes.bytes());
      builder = caching ? builder.withCachingEnabled() : builder.withCachingDisabled();
      builder = logging ? builder.withLoggingEnabled({}) : builder.withLoggingDisabled();
      const b = builder;
      implementations.push({
        name: `metered${caching ? ' > caching' : ''}${logging ? ' > logging' : ''} > ${inner.kind}`,
        supports: { persistent: inner.persistent, logging },
        open: () => harness(() => b.build(), inner.persistent),
      });
    }
  }
  const ttl = Stores.keyValueStoreBuilder(inner.supplier(), Serdes.bytes(), Serdes.bytes()).withCachingEnabled().withTtl(1e12);
  implementations.push({
    name: `metered > ttl > caching > logging > ${inner.kind}`,
    supports: { persistent: inner.persistent, logging: false, changelogValue: (v) => Buffer.concat([Buffer.alloc(8), v]) },
    open: () => harness(() => ttl.build(), inner.persistent),
  });
}

for (const impl of implementations) keyValueStoreContract(impl);
