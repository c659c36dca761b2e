// The command-line tools as the office runs them: `scripts/<name>.ts` in a child process (tsx),
// with the environment given (DYNAMODB_ENDPOINT, TABLE_NAME …), its exit code and both outputs.

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runScript(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 120_000,
): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', `scripts/${script}.ts`, ...args],
      { cwd: ROOT, env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The environment of a CLI run against a local DynamoDB endpoint and table. */
export const localEnv = (endpoint: string, table: string): NodeJS.ProcessEnv => ({
  ...process.env,
  DYNAMODB_ENDPOINT: endpoint,
  TABLE_NAME: table,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});
