// The app's own health route, as a Next.js app usually has one (and the seed article probes): always 200 while the
// process answers. With the preload, the probes use /health/* instead, which know about starting and draining.
export const dynamic = 'force-dynamic';

export function GET() {
  return Response.json({ status: 'ok' });
}
