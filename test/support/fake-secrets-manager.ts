// Secrets Manager's GetSecretValue on loopback, as the AWS SDK speaks it (JSON 1.1 over HTTP), so
// the functions read their bot secret through Powertools Parameters and the real SDK client in
// tests: point the SDK at it with AWS_ENDPOINT_URL_SECRETS_MANAGER. Only GetSecretValue is
// answered; every read is counted, so a test can see what the cache saved.

import { createServer, type Server } from 'node:http';

export class FakeSecretsManager {
  readonly secrets = new Map<string, string>();
  /** GetSecretValue calls, by secret id. */
  readonly reads: string[] = [];
  endpoint = '';
  #server?: Server;
  #version = 0;

  async start(): Promise<string> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const reply = (status: number, body: unknown) =>
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(body));
        if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue')
          return reply(400, { __type: 'InvalidRequestException', message: 'not faked' });
        const { SecretId } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { SecretId: string };
        this.reads.push(SecretId);
        const value = this.secrets.get(SecretId);
        if (value === undefined)
          return reply(400, {
            __type: 'ResourceNotFoundException',
            message: "Secrets Manager can't find the specified secret.",
          });
        return reply(200, {
          ARN: SecretId,
          Name: SecretId.split(':').at(-1),
          SecretString: value,
          VersionId: `v${++this.#version}`,
          VersionStages: ['AWSCURRENT'],
          CreatedDate: Date.now() / 1000,
        });
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address();
    this.endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    return this.endpoint;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
