import { describe, expect, it } from 'vitest';
import * as testing from '../../src/testing/index.js';

describe('testing > entry point', () => {
  it('exports exactly these runtime names (additions must show up here)', () => {
    expect(Object.keys(testing).sort()).toEqual([
      'DEFAULT_DRIVER_APPLICATION_ID',
      'TestInputTopic',
      'TestOutputTopic',
      'TopologyTestDriver',
      'keyedRecords',
      'maxLatenessMs',
      'runTopology',
    ]);
  });
});
