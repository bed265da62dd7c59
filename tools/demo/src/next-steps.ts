/** Where a newcomer goes after the summary: each a command that works when pasted, with a line saying why. */
export interface NextStepsOptions {
  /** `cd` into the workspace first when the demo ran elsewhere. */
  cd?: string;
  docsPort: number;
  apiPort: number;
  /** A token the analysts' consumer reads with. */
  token: string;
  /** The scheduled run the demo just made, as `mesh runs` shows its id. */
  runId?: string;
  /** The day the next demo run lands, and the command that lands it (the same data set's flags). */
  nextDay: string;
  demoCommand: string;
}

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

export function nextSteps(o: NextStepsOptions): Array<{ why: string; commands: string[] }> {
  const api = `http://127.0.0.1:${o.apiPort}`;
  const rows = `${api}/v1/products/teddy-sales/ports/order_summary/rows?order_status=eq.open&order=total_value.desc&limit=3`;
  return [
    ...(o.cd ? [{ why: 'The commands below run in the workspace the demo built', commands: [`cd ${quote(o.cd)}`] }] : []),
    {
      why: `The catalog: every domain, data product, column and lineage; open http://127.0.0.1:${o.docsPort}/`,
      commands: [`pnpm exec mesh docs serve --port ${o.docsPort}`],
    },
    {
      why: "The data product API (in another terminal), then sales' three biggest open orders as the analysts read them",
      commands: [`pnpm exec mesh serve --port ${o.apiPort}`, `curl -s -H ${quote(`Authorization: Bearer ${o.token}`)} ${quote(rows)}`],
    },
    {
      why: "What a change to inventory's prices reaches, column by column, in every domain",
      commands: ['pnpm exec mesh impact inventory.products.price_cents'],
    },
    {
      why: 'The run history, then the scheduled run that just ran, step by step',
      commands: ['pnpm exec mesh runs', ...(o.runId ? [`pnpm exec mesh runs show ${o.runId}`] : [])],
    },
    {
      why: `The next morning: lands ${o.nextDay} and ingests only its files`,
      commands: [o.demoCommand],
    },
  ];
}

export function nextStepsText(o: NextStepsOptions): string {
  return nextSteps(o).map((s) => [`  # ${s.why}`, ...s.commands.map((c) => `  ${c}`)].join('\n')).join('\n');
}
