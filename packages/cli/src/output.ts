/**
 * Writes text to a stream and resolves once the stream has handed it all to the operating system: a command that
 * awaits its output before returning never has it cut by the process exiting (a pipe takes 64 KiB at a time). A
 * reader that went away (`| head`) is not an error: there is nobody left to tell.
 */
export function writeAll(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (text === '') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') resolve();
      else reject(error);
    };
    stream.once('error', onError);
    stream.write(text, (error) => {
      stream.removeListener('error', onError);
      if (!error || (error as NodeJS.ErrnoException).code === 'EPIPE') resolve();
      else reject(error);
    });
  });
}

/**
 * Writes a report given in pieces, about a megabyte at a time, each write awaited: the whole report is never one
 * string, and a slow reader holds the writer back instead of the pieces piling up in memory.
 */
export async function writeChunks(stream: NodeJS.WritableStream, chunks: Iterable<string>): Promise<void> {
  let batch = '';
  for (const chunk of chunks) {
    batch += chunk;
    if (batch.length >= 1 << 20) {
      await writeAll(stream, batch);
      batch = '';
    }
  }
  await writeAll(stream, batch);
}

/** Lines for stderr, written in one piece at the end. */
export class Messages {
  private readonly lines: string[] = [];

  add(line: string): void {
    this.lines.push(line);
  }

  flush(): Promise<void> {
    return writeAll(process.stderr, this.lines.length ? `${this.lines.join('\n')}\n` : '');
  }
}
