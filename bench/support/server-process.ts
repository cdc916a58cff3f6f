import { startBareProvider } from './bare-provider.js';
import type { FromServer, RunningServer, ServerSpec, ToServer } from './server-protocol.js';

/**
 * Entry point of a child process that runs one server for the bench (see server-protocol.ts).
 * It exits when told to stop, or when the bench goes away, so no server outlives a run.
 */
const send = (message: FromServer) => process.send!(message);

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as ServerSpec;
  const server: RunningServer = await startBareProvider(spec.port);

  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= server.close().finally(() => process.exit(0)));
  process.on('disconnect', stop);
  process.on('message', (message: ToServer) => {
    if (message.type === 'stop') void stop();
    if (message.type === 'mint-refresh-tokens') {
      if (!server.mintRefreshTokens) return send({ type: 'failed', message: 'this server cannot mint refresh tokens' });
      server.mintRefreshTokens(message.count).then(
        (tokens) => send({ type: 'refresh-tokens', tokens }),
        (err: Error) => send({ type: 'failed', message: err.stack ?? err.message }),
      );
    }
  });
  send({ type: 'ready', origin: server.origin });
}

main().catch((err: Error) => {
  // Exit once the parent has the reason: whatever failed may have left handles open.
  if (!process.connected) process.exit(1);
  process.send!({ type: 'failed', message: err.stack ?? err.message } satisfies FromServer, () => process.exit(1));
});
