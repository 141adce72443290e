import { pino } from 'pino';
import { buildManagerApp, LocalProvisioner, Manager, Scaling } from '../../src/manager/index.js';
/** Builds the manager's app, checking `token` on control calls when one is given. */
export async function buildTestManagerApp(token) {
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
//# sourceMappingURL=manager-app.js.map