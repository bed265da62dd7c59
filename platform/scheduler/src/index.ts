export { Scheduler, type ScheduledDomain, type SchedulerEvent, type SchedulerOptions, type Step, type StepKind, type StepResult, type Tick, type TickResult } from './scheduler';
export { parseCron, type CronSchedule } from './cron';
export { downstreamOrder, workspaceOrder } from './domain-order';
export { FakeClock, systemClock, sleep, type Clock } from './clock';
export { sendWebhook, type AlertPayload, type Delivery, type WebhookOptions } from './webhook';
