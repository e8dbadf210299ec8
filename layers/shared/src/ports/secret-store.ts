/** Secrets by id (a Secrets Manager ARN or name in production); read once, cached, never logged. */
export interface SecretStore {
  getSecret(id: string): Promise<string>;
}
