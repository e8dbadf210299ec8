/** The claims page: loads its settings, then hands the page to the claims flow. */
import { loadClaimsPageConfig } from './config.ts';

async function start(): Promise<void> {
  const status = document.getElementById('status');
  try {
    const config = await loadClaimsPageConfig(document.baseURI);
    if (status !== null) status.textContent = `Ready (${config.solanaCluster}).`;
  } catch (error) {
    if (status !== null) status.textContent = `The page could not start: ${(error as Error).message}`;
  }
}

void start();
