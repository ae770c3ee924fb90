import { readServerConfig } from '../../../lib/config';
import { mayProbe, probePortal } from '../../../lib/health';

// Probe on every request, never at build time.
export const dynamic = 'force-dynamic';

export async function GET(req: Request): Promise<Response> {
  const configured = readServerConfig().portalUrl;
  const target = (new URL(req.url).searchParams.get('portal') ?? configured).replace(/\/+$/, '');
  if (!mayProbe(target, configured)) {
    return Response.json({ error: 'only the configured portal or a loopback address can be probed' }, { status: 400 });
  }
  return Response.json(await probePortal(target), { headers: { 'cache-control': 'no-store' } });
}
