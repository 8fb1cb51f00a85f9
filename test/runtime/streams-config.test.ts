import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Broker } from '../../src/broker/broker.js';
import { StreamsConfigError } from '../../src/core/errors.js';
import { resolveStreamsConfig } from '../../src/runtime/streams-config.js';
import { Serdes } from '../../src/serdes/serdes.js';

describe('runtime > resolveStreamsConfig', () => {
  it("fills in Kafka Streams' defaults", async () => {
    const broker = await Broker.inMemory();
    const c = resolveStreamsConfig({ applicationId: 'app.v1_x-2', broker });
    expect(c).toMatchObject({ applicationId: 'app.v1_x-2', commitIntervalMs: 30_000, numStandbyReplicas: 0, maxPollRecords: 1000 });
    expect(c.stateDir).toBe(join(tmpdir(), 'tributary'));
    expect(c.broker).toBe(broker);
    await broker.close();
  });

  it('names the setting in every rejection', () => {
    const bad: [Parameters<typeof resolveStreamsConfig>[0], string][] = [
      [{ applicationId: 'a/b' }, 'applicationId'],
      [{ applicationId: '..' }, 'applicationId'],
      [{ applicationId: 'x'.repeat(201) }, 'applicationId'],
      [{ applicationId: 'a', numStandbyReplicas: -1 }, 'numStandbyReplicas'],
      [{ applicationId: 'a', maxPollRecords: 0 }, 'maxPollRecords'],
      [{ applicationId: 'a', commitIntervalMs: 1.5 }, 'commitIntervalMs'],
      [{ applicationId: 'a', defaultKeySerde: {} as never }, 'defaultKeySerde'],
      [{ applicationId: 'a', deserializationExceptionHandler: 'logAndIgnore' as never }, 'deserializationExceptionHandler'],
      [{ applicationId: 'a', processingExceptionHandler: {} as never }, 'processingExceptionHandler'],
      [{ applicationId: 'a', broker: {} as never }, 'broker'],
      [{ applicationId: 'a', processingGuarantee: 'exactly_once' as never }, 'processingGuarantee'],
    ];
    for (const [config, setting] of bad) {
      let error: unknown;
      try {
        resolveStreamsConfig(config);
      } catch (e) {
        error = e;
      }
      expect(error, setting).toBeInstanceOf(StreamsConfigError);
      expect((error as StreamsConfigError).setting).toBe(setting);
    }
  });

  it('accepts serdes and the handler shorthands', () => {
    const c = resolveStreamsConfig({ applicationId: 'a', defaultKeySerde: Serdes.string(), deserializationExceptionHandler: 'logAndContinue' });
    expect(c.defaultKeySerde).toBeDefined();
    expect(resolveStreamsConfig({ applicationId: 'a', numStandbyReplicas: 2 }).numStandbyReplicas).toBe(2);
    const ctx = { taskId: '0_0', sourceNodeName: 's', topic: 't', partition: 0, offset: 0 };
    const record = { topic: 't', partition: 0, offset: 0, timestamp: 0, key: null, value: null, headers: {} };
    const quiet = resolveStreamsConfig({ applicationId: 'a', deserializationExceptionHandler: 'logAndContinue', logger: { warn: () => {} } });
    expect(quiet.deserializationExceptionHandler.handle(ctx, record, new Error('x')).result).toBe('CONTINUE');
    expect(resolveStreamsConfig({ applicationId: 'a', logger: { warn: () => {} } }).deserializationExceptionHandler.handle(ctx, record, new Error('x')).result).toBe('FAIL');
  });
});
