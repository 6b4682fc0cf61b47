// A slow route (a server-side call to a slow backend): ?ms= how long it takes, at most 10 s. In flight when the pod
// is told to stop, it must still complete.
export const dynamic = 'force-dynamic';

export async function GET(request) {
  const ms = Math.min(10_000, Math.max(0, Number(new URL(request.url).searchParams.get('ms') ?? 200) || 0));
  await new Promise((resolve) => setTimeout(resolve, ms));
  return Response.json({ slept: ms, pid: process.pid }, { headers: { 'x-replica': String(process.pid) } });
}
