/**
 * The manager's app for route tests through `app.inject()`: a real Manager and Scaling with a
 * local provisioner that starts no node until asked, silent logs, not listening.
 */
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildManagerApp, LocalProvisioner, Manager, Scaling } from '../../src/manager/index.js';

/** The app and the parts behind it; `close()` closes the app and stops the scaling loop. */
export interface ManagerAppHarness {
  app: FastifyInstance;
  manager: Manager;
  scaling: Scaling;
  close(): Promise<void>;
}

/** Builds the manager's app, checking `token` on control calls when one is given. */
export async function buildTestManagerApp(token?: string): Promise<ManagerAppHarness> {
  const logger = pino({ level: 'silent' });
  const manager = new Manager({
    provisioner: new LocalProvisioner({ statsIntervalS: 1, logger }),
    logger,
  });
  const scaling = new Scaling({ manager, logger });
  const app = await buildManagerApp({
    manager,
    scaling,
    ...(token === undefined ? {} : { token }),
  });
  return {
    app,
    manager,
    scaling,
    close: async () => {
      await app.close();
      await scaling.stop();
    },
  };
}
