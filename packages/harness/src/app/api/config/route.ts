import { readServerConfig } from '../../../lib/config';

// Read the environment on every request, never at build time.
export const dynamic = 'force-dynamic';

export function GET(): Response {
  return Response.json(readServerConfig(), { headers: { 'cache-control': 'no-store' } });
}
