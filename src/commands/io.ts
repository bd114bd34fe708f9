/** What a command may touch of its process: output streams, the working folder, the environment. */
export interface Io {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export function println(stream: { write(text: string): unknown }, text = ''): void {
  stream.write(`${text}\n`);
}
