import { Serdes } from '../../src/serdes/serdes.js';
import { InMemoryWindowStore } from '../../state/in-memory-window-store.js';
import { LevelWindowStore } from '../../state/level-window-store.js';
import { Stores } from '../../state/stores.js';
import { openHarness } from './store-harness.js';
import { RETENTION, SIZE, windowStoreContract, type WindowImplementation } from './window-store.contract.js';

const implementations: WindowImplementation[] = [];
for (const duplicates of [false, true]) {
  const d = duplicates ? ' (retainDuplicates)' : '';
  implementations.push(
    { name: `InMemoryWindowStore${d}`, supports: { persistent: false, logging: false, duplicates },
      open: () => openHarness(() => new InMemoryWindowStore('store', RETENTION, SIZE, duplicates), false) },
    { name: `LevelWindowStore${d}`, supports: { persistent: true, logging: false, duplicates },
      open: () => openHarness(() => new LevelWindowStore('store', RETENTION, SIZE, duplicates), true) },
  );
  for (const persistent of [false, true]) {
    for (const caching of [false, true]) {
      for (const logging of [false, true]) {
        const supplier = persistent
          ? Stores.persistentWindowStore('store', RETENTION, SIZE, duplicates)
          : Stores.inMemoryWindowStore('store', RETENTION, SIZE, duplicates);
        let builder = Stores.windowStoreBuilder(supplier, Serdes.bytes(), Serdes.bytes());
        builder = caching ? builder.withCachingEnabled() : builder.withCachingDisabled();
        builder = logging ? builder.withLoggingEnabled() : builder.withLoggingDisabled();
        const built = builder;
        implementations.push({
          name: `metered${caching ? ' > caching' : ''}${logging ? ' > logging' : ''} > ${persistent ? 'LevelDB' : 'in-memory'}${d}`,
          supports: { persistent, logging, duplicates },
          open: () => openHarness(() => built.build(), persistent),
        });
      }
    }
  }
}

for (const impl of implementations) windowStoreContract(impl);
