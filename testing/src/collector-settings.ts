import type { VigilConfig } from '@vigil/core';

/** A collector for tests: any free port on loopback, the production limits, two writer lanes. */
export const COLLECTOR_TEST_SETTINGS = {
  VIGIL_COLLECTOR_HOST: '127.0.0.1',
  VIGIL_COLLECTOR_PORT: 0,
  VIGIL_COLLECTOR_HEALTH_PORT: 0,
  VIGIL_COLLECTOR_GRPC_PORT: 0,
  VIGIL_MAX_BODY_BYTES: 16 * 1024 * 1024,
  VIGIL_MAX_DECOMPRESSED_BYTES: 64 * 1024 * 1024,
  VIGIL_MAX_ATTRIBUTES: 128,
  VIGIL_MAX_ATTRIBUTE_LENGTH: 16 * 1024,
  VIGIL_QUEUE_MAX_SPANS: 200_000,
  VIGIL_BATCH_MAX_SPANS: 10_000,
  VIGIL_WRITER_LANES: 2,
} satisfies Partial<VigilConfig>;
