// Rendered on the server for every request, like a frontend page that shows live data.
export const dynamic = 'force-dynamic';

export default function Home() {
  return (
    <main>
      <h1>Orders</h1>
      <p>Rendered at {new Date().toISOString()} by process {process.pid}.</p>
    </main>
  );
}
