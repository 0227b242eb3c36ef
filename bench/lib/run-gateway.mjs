// Benchmark child: the real gateway from dist/ (token check, roles, audit; usage contracts
// when its mode enforces them), over HTTPS, with the run's shared keys and its own SQLite
// store in the benchmark's temporary directory.
import { join } from 'node:path';
import { startGateway } from '../../dist/app/index.js';
import { runAsChild } from './child-runtime.mjs';
import { gatewayConfig } from './gateway-config.mjs';

runAsChild(async (options) => {
  const config = gatewayConfig(options);
  // Errors only: an access line per request would weigh on what is measured.
  // Start-up cost in the process itself: wall time and CPU time of startGateway alone.
  const startedAt = performance.now();
  const cpuAtStart = process.cpuUsage();
  const gateway = await startGateway({ ...config, logLevel: 'error', logFormat: 'json' });
  const startMs = performance.now() - startedAt;
  const startCpu = process.cpuUsage(cpuAtStart);
  // Every request that reaches the server must end up as one audit record; counted here
  // so the parent can compare after the log has been flushed and closed.
  let received = 0;
  gateway.app.server.on('request', () => {
    received++;
  });
  // CPU time from here on, per request received: less moved by other load on the machine than requests/s.
  const cpuAtReady = process.cpuUsage();
  return {
    info: {
      url: gateway.url,
      storePath: config.store.path,
      certFile: join(config.keysDir, 'tls-cert.pem'),
      startMs,
      startCpuMs: (startCpu.user + startCpu.system) / 1000,
    },
    async close() {
      const cpu = process.cpuUsage(cpuAtReady);
      await gateway.close();
      return { received, cpuMicros: cpu.user + cpu.system };
    },
  };
});
