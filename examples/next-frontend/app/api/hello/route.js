// A small API route: what the frontend's own client code calls.
export const dynamic = 'force-dynamic';

export function GET() {
  return Response.json({ hello: 'world', pid: process.pid }, { headers: { 'x-replica': String(process.pid) } });
}
