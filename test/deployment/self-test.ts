import type { ReportEntry } from './report.ts';

export async function runSelfTest(_options: {
  stage: string;
  assemblyDir: string;
  workDir: string;
  log: (line: string) => void;
}): Promise<ReportEntry[]> {
  return [];
}
