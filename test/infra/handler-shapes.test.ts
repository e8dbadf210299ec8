/**
 * Every entry point of lib/functions.ts is built by one of the handler factories
 * (functions/handlers.ts), as a middy handler, and by the factory that fits how it is invoked: a
 * schedule invokes a `scheduled` handler, a queue an `sqs` one. (HTTP routes, the WebSocket API,
 * the authorizer and the EventBridge target join this list as they are converted.)
 */
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { HANDLER_SHAPE, type HandlerShape } from '../../functions/handlers.ts';
import { FUNCTIONS, type FunctionSpec, REPO_ROOT } from '../../lib/functions.ts';

const SHAPE_OF_TRIGGER: Partial<Record<FunctionSpec['trigger']['kind'], HandlerShape>> = {
  schedule: 'scheduled',
  queue: 'sqs',
};

const converted = FUNCTIONS.filter((spec) => SHAPE_OF_TRIGGER[spec.trigger.kind] !== undefined);

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
  it.each(converted.map((spec) => [spec.name, spec] as const))(
    '%s is a middy handler built by the factory of its trigger',
    async (_name, spec) => {
      const module = (await import(pathToFileURL(`${REPO_ROOT}${spec.entry}`).href)) as {
        handler: { use?: unknown; on?: unknown; [HANDLER_SHAPE]?: unknown };
      };
      expect(typeof module.handler.use).toBe('function');
      expect(typeof module.handler.on).toBe('function');
      expect(module.handler[HANDLER_SHAPE]).toBe(SHAPE_OF_TRIGGER[spec.trigger.kind]);
    },
  );
});
