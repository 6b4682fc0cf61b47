/**
 * Holds the process's other SIGTERM / SIGINT listeners while the drain runs, and delivers the signal to them once it
 * is over. A framework's own handler (Next.js closes its listener and exits the moment SIGTERM arrives) would
 * otherwise end the process mid-drain.
 *
 * How: Node delivers a signal by calling `process.emit(signal, signal)`, bound when the first listener of that signal
 * is added. The gate wraps `process.emit` once; while an owner is set for a signal, the signal reaches only the
 * owner, and the others get it when the owner calls {@link deliverHeldSignals}. Listeners added before the gate was
 * installed are re-added so that Node binds the wrapped emit; the owner's first signal also checks that the wrap is
 * in the path, and says so when it is not.
 */

type Owner = (signal: NodeJS.Signals) => void;
type Emit = (this: NodeJS.Process, event: string | symbol, ...args: unknown[]) => boolean;

const owners = new Map<NodeJS.Signals, Owner>();
/** Signals that reached an owner and not yet the other listeners. */
const held = new Set<NodeJS.Signals>();
let unwrappedEmit: Emit | undefined;
let bypassed = false;

/**
 * The gate's own listener: it keeps Node's signal watcher alive while an owner is set. Called only when Node
 * delivered the signal without the wrapped emit (then the other listeners run too, and the owner is told).
 */
const placeholder = (signal: NodeJS.Signals) => {
  const owner = owners.get(signal);
  if (!owner) return;
  bypassed = true;
  owner(signal);
};

/** Wrap process.emit (once per process). Safe to call again. */
export function installSignalGate(): void {
  if (unwrappedEmit) return;
  const original = process.emit as unknown as Emit;
  unwrappedEmit = original;
  const gated: Emit = function (this: NodeJS.Process, event, ...args) {
    const owner = typeof event === 'string' ? owners.get(event as NodeJS.Signals) : undefined;
    if (!owner) return original.call(this, event, ...args);
    held.add(event as NodeJS.Signals);
    owner(event as NodeJS.Signals);
    return true;
  };
  (process as unknown as { emit: Emit }).emit = gated;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const listeners = process.rawListeners(signal) as ((...args: unknown[]) => void)[];
    if (listeners.length === 0) continue;
    // Removing the last listener closes Node's watcher; adding one back opens a new one bound to the wrapped emit.
    process.removeAllListeners(signal);
    for (const listener of listeners) process.on(signal, listener);
  }
}

/** From now on `signal` reaches `owner` only. */
export function ownSignal(signal: NodeJS.Signals, owner: Owner): void {
  installSignalGate();
  owners.set(signal, owner);
  process.on(signal, placeholder);
}

/**
 * Deliver the signals that reached `owner` to the other listeners (`before` is told first: they may exit the
 * process). The owner keeps its signals: the process stays covered until it exits (with no listener at all, a signal
 * that arrives while the process exits would kill it by the default action), and the owner is called too (it ignores
 * signals once it is done). Returns how many other listeners got a signal (0: no other shutdown code to wait for).
 */
export function deliverHeldSignals(
  owner: Owner,
  before: (signal: NodeJS.Signals, listeners: number) => void = () => {},
): number {
  let reached = 0;
  for (const signal of [...held]) {
    if (owners.get(signal) !== owner) continue;
    held.delete(signal);
    const others = process.listenerCount(signal) - 1; // all but the placeholder
    if (others <= 0) continue;
    reached += others;
    before(signal, others);
    unwrappedEmit?.call(process, signal, signal);
  }
  return reached;
}

/** Stop owning the owner's signals (embedding without process.exit, tests): the process's own handling returns. */
export function releaseSignals(owner: Owner): void {
  for (const [signal, current] of owners) {
    if (current !== owner) continue;
    owners.delete(signal);
    held.delete(signal);
    process.off(signal, placeholder);
  }
}

/** True once a signal reached the listeners without the gate: the other listeners were not held. */
export function gateBypassed(): boolean {
  return bypassed;
}
