/**
 * The AIR credential API over HTTP: `GET {base}/credentials` and `GET {base}/credentials/{id}`,
 * key in `x-api-key` (from configuration / Secrets Manager, never logged). Responses are checked
 * with zod and reduced to the fields the port names.
 */
import { z } from 'zod';
import { DependencyError } from '../../errors.ts';
import type { AirCredential, AirCredentialApi } from '../../ports/air-credentials.ts';

const unixSeconds = z.union([
  z.number().int(),
  z
    .string()
    .datetime()
    .transform((text) => Math.floor(Date.parse(text) / 1000)),
]);

const credentialSchema = z.object({
  id: z.string().min(1),
  holder: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  status: z.enum(['active', 'revoked', 'expired', 'suspended']),
  issued: unixSeconds,
  expires: unixSeconds.nullable().optional(),
  tier: z.string().min(1),
});

function toCredential(raw: z.infer<typeof credentialSchema>): AirCredential {
  return {
    id: raw.id,
    holder: raw.holder.toLowerCase(),
    status: raw.status,
    issuedAt: raw.issued,
    expiresAt: raw.expires ?? undefined,
    tier: raw.tier,
  };
}

export class HttpAirClient implements AirCredentialApi {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  async listCredentials(): Promise<AirCredential[]> {
    const body = await this.get('/credentials');
    const parsed = z.object({ credentials: z.array(credentialSchema) }).safeParse(body);
    if (!parsed.success)
      throw new DependencyError(
        `AIR /credentials answered an unexpected shape: ${parsed.error.issues[0]?.message}`,
      );
    return parsed.data.credentials.map(toCredential);
  }

  async getCredential(id: string): Promise<AirCredential | undefined> {
    const body = await this.get(`/credentials/${encodeURIComponent(id)}`);
    if (body === undefined) return undefined;
    const parsed = credentialSchema.safeParse(body);
    if (!parsed.success) throw new DependencyError(`AIR /credentials/{id} answered an unexpected shape`);
    return toCredential(parsed.data);
  }

  private async get(path: string): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl.replace(/\/$/, '')}${path}`, {
        headers: { 'x-api-key': this.apiKey, accept: 'application/json' },
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new DependencyError(`AIR API unreachable: ${(error as Error).message}`, { cause: error });
    }
    if (response.status === 404) return undefined;
    if (!response.ok) throw new DependencyError(`AIR API answered ${response.status} for ${path}`);
    return response.json();
  }
}
