/**
 * The Lambda Node.js runtime's part, for one function in one process: loads the handler named
 * `<file>.<export>` from the task root as the nodejs runtime does (`.mjs`, then `.js`, then
 * `.cjs`), and invokes it once per event the parent sends over IPC. Run with the Node version
 * of the function's runtime; plain JavaScript so it needs nothing but Node.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const taskRoot = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
const handlerSpec = process.env._HANDLER ?? 'index.handler';
// Settings of the runtime itself come as an argument, so the function's environment stays the template's.
const { timeoutMs = 30_000, functionArn = '' } = JSON.parse(process.argv[2] ?? '{}');

function describe(error) {
  if (!(error instanceof Error)) return { errorType: typeof error, errorMessage: String(error) };
  // The runtime reports `error.name` as the errorType CloudWatch shows.
  return {
    errorType: error.name,
    constructorName: error.constructor?.name ?? '',
    errorMessage: error.message,
    stack: (error.stack ?? '').split('\n').slice(0, 8),
  };
}

async function loadHandler() {
  const dot = handlerSpec.lastIndexOf('.');
  const file = handlerSpec.slice(0, dot);
  const exported = handlerSpec.slice(dot + 1);
  const candidate = ['.mjs', '.js', '.cjs'].map((ext) => join(taskRoot, `${file}${ext}`)).find(existsSync);
  if (candidate === undefined)
    throw new Error(`Runtime.ImportModuleError: cannot find ${file} in ${taskRoot}`);
  const module = await import(pathToFileURL(candidate).href);
  const handler = module[exported] ?? module.default?.[exported];
  if (typeof handler !== 'function')
    throw new Error(`Runtime.HandlerNotFound: ${handlerSpec} is not a function`);
  return handler;
}

let handlerPromise;

async function invoke(event) {
  handlerPromise ??= loadHandler();
  const handler = await handlerPromise;
  const started = Date.now();
  const context = {
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: functionArn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: randomUUID(),
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: 'deployment-check',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
  };
  return handler(event, context);
}

process.on('message', (message) => {
  if (message?.type === 'exit') process.exit(0);
  if (message?.type !== 'invoke') return;
  invoke(message.event).then(
    (result) => process.send({ type: 'result', id: message.id, ok: true, result: result ?? null }),
    (error) => process.send({ type: 'result', id: message.id, ok: false, error: describe(error) }),
  );
});
// Lambda imports the handler in its init phase, which its own limit governs; the function's
// timeout runs from the invocation. A failed import is reported by the first invocation.
handlerPromise = loadHandler();
handlerPromise.then(
  () => process.send({ type: 'ready' }),
  () => process.send({ type: 'ready' }),
);
