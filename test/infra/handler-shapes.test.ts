/**
 * Every Lambda entry point is built by one of the handler factories (functions/handlers.ts), as a
 * middy handler, and by the factory that fits how it is invoked: every entry of lib/functions.ts
 * (a schedule invokes a `scheduled` handler, a queue an `sqs` one, an HTTP route an `http` one, the
 * WebSocket API a `websocket` one, the API's authorizer an `authorizer` one, and the EventBridge
 * rule's target, invoked with the event as a scheduled function is, a `scheduled` one) and the data
 * stack's migrations custom resource (MIGRATE_ENTRY, a `custom-resource` one). An entry whose
 * handler no factory built fails here.
 */
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { HANDLER_SHAPE, type HandlerShape } from '../../functions/handlers.ts';
import { FUNCTIONS, type FunctionSpec, MIGRATE_ENTRY, REPO_ROOT } from '../../lib/functions.ts';

// A Record, not a Partial: a trigger kind added to lib/functions.ts must name its factory here.
const SHAPE_OF_TRIGGER: Record<FunctionSpec['trigger']['kind'], HandlerShape> = {
  schedule: 'scheduled',
  queue: 'sqs',
  http: 'http',
  websocket: 'websocket',
  authorizer: 'authorizer',
  event: 'scheduled',
};

const entries: readonly (readonly [name: string, entry: string, shape: HandlerShape])[] = [
  ...FUNCTIONS.map((spec) => [spec.name, spec.entry, SHAPE_OF_TRIGGER[spec.trigger.kind]] as const),
  ['Migrate', MIGRATE_ENTRY, 'custom-resource'],
];

beforeAll(() => {
  // What the entry modules check as they load (the creator sync refuses to start without its contracts).
  Object.assign(process.env, {
    ORACLE_MODE: 'local',
    LOG_LEVEL: 'SILENT',
    CREATOR_METRICS_MANAGER_ADDRESS: `0x${'11'.repeat(20)}`,
    CREATOR_TOKEN_FACTORY_ADDRESS: `0x${'22'.repeat(20)}`,
  });
});

describe('handler shapes', () => {
  it.each(entries)('%s (%s) is a middy handler built by the %s factory', async (_name, entry, shape) => {
    const module = (await import(pathToFileURL(`${REPO_ROOT}${entry}`).href)) as {
      handler?: { use?: unknown; on?: unknown; [HANDLER_SHAPE]?: unknown };
    };
    expect(typeof module.handler?.use).toBe('function');
    expect(typeof module.handler?.on).toBe('function');
    expect(module.handler?.[HANDLER_SHAPE]).toBe(shape);
  });
});
