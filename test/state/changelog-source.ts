import type { ChangelogBatch } from '../../state/state-restorer.js';
import type { ChangelogRecord } from '../../state/key-value-entry.js';

/** Serves captured changelog records from offset `from` in batches, as a consumer would. */
export async function* changelogBatches(records: readonly ChangelogRecord[], batchSize: number, from = 0): AsyncGenerator<ChangelogBatch> {
  for (let i = from; i < records.length; i += batchSize) {
    const slice = records.slice(i, i + batchSize);
    yield { records: slice, nextOffset: i + slice.length };
  }
}
