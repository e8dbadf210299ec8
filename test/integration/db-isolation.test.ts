import { isolationSuite } from '../fixtures/isolation-suite.ts';

// Runs beside db-isolation-b.test.ts, writing the same table at the same time.
isolationSuite('file_a');
