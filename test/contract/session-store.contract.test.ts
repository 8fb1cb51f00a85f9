import { Serdes } from '../../src/serdes/serdes.js';
import { InMemorySessionStore } from '../../state/in-memory-session-store.js';
import { LevelSessionStore } from '../../state/level-session-store.js';
import { Stores } from '../../state/stores.js';
import { SESSION_RETENTION, sessionStoreContract, type SessionImplementation } from './session-store.contract.js';
import { openHarness } from './store-harness.js';

const implementations: SessionImplementation[] = [
  { name: 'InMemorySessionStore', supports: { persistent: false, logging: false },
    open: () => openHarness(() => new InMemorySessionStore('store', SESSION_RETENTION), false) },
  { name: 'LevelSessionStore', supports: { persistent: true, logging: false },
    open: () => openHarness(() => new LevelSessionStore('store', SESSION_RETENTION), true) },
];
for (const persistent of [false, true]) {
  for (const caching of [false, true]) {
    for (const logging of [false, true]) {
      const supplier = persistent ? Stores.persistentSessionStore('store', SESSION_RETENTION) : Stores.inMemorySessionStore('store', SESSION_RETENTION);
      let builder = Stores.sessionStoreBuilder(supplier, Serdes.bytes(), Serdes.bytes());
      builder = logging ? builder.withLoggingEnabled() : builder.withLoggingDisabled();
      builder = caching ? builder.withCachingEnabled() : builder.withCachingDisabled();
      const built = builder;
      implementations.push({
        name: `metered${caching ? ' > caching' : ''}${logging ? ' > logging' : ''} > ${persistent ? 'LevelDB' : 'in-memory'}`,
        supports: { persistent, logging },
        open: () => openHarness(() => built.build(), persistent),
      });
    }
  }
}

for (const impl of implementations) sessionStoreContract(impl);
