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
