/** Owner kind of an experiment's decision-policy channels and deliveries. */
export const ALERT_OWNER_EXPERIMENT = 'experiment';
