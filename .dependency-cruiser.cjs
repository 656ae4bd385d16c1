/**
 * The harness's layers (docs/architecture.md), checked by `npm run depcheck`
 * in CI. A module may import its own layer and the layers below it, never
 * one above: the list runs bottom to top, and one rule per layer forbids
 * everything listed after it. Type-only imports count too.
 */

/** What experiments/gates.ts needs from above: the gate type and the paper's statements. */
const GATE_INPUTS = ['^harness/gate/types[.]ts$', '^harness/report/paper[.]ts$'];

/** Bottom to top. `paths` are regular expressions on paths from the repository root. */
const LAYERS = [
  {
    name: 'base',
    why: 'the experiment and result types, units, statistics and the seeded generator, the choice auto makes of scheme, used by everyone',
    paths: [
      '^harness/(experiment|systems|series|labels|units|random|stats|shard|skip-systems|choose-scheme)[.]ts$',
      '^harness/linux/',
      '^harness/results/',
    ],
  },
  { name: 'backend-interface', why: 'what every backend implements', paths: ['^harness/backends/backend[.]ts$'] },
  { name: 'backends', why: 'sim, qemu, xen: each sees only the layers below and its own directory', paths: ['^harness/backends/[^/]+/'] },
  {
    name: 'experiments',
    why: "the figures' sweeps and gates, as data",
    paths: ['^experiments/'],
    // gates.ts states its gates in the gate type and against the paper's statements; both import only the base layer (rule gate-inputs-are-data).
    allowAbove: GATE_INPUTS,
  },
  { name: 'runner', why: 'runs points on a backend and hands each outcome to the recorder of its figure', paths: ['^harness/runner[.]ts$'] },
  {
    name: 'rows',
    why: "an outcome becomes rows of its figure's tables",
    paths: ['^harness/rows[.]ts$'],
  },
  {
    name: 'tools',
    why: 'what reads rows back or derives from measurements: charts, reports, gates, validation, calibration and the fit, option parsing',
    paths: ['^harness/(render|report|gate|validate|calibrate)/', '^harness/options[.]ts$'],
  },
  {
    name: 'registry',
    why: "each figure's tables, charts, report section and measured reader, declared once; what a results directory holds",
    paths: ['^harness/registry[.]ts$', '^harness/run-state[.]ts$'],
  },
  { name: 'commands', why: 'one module per command, and the benchmark script', paths: ['^harness/commands/', '^harness/bench[.]ts$'] },
  { name: 'cli', why: 'argv to command, error to exit code', paths: ['^harness/cli[.]ts$'] },
];

const BASE = LAYERS[0].paths;
const ALL_LAYERS = LAYERS.flatMap((layer) => layer.paths);

const layerRules = LAYERS.slice(0, -1).map((layer, index) => ({
  name: `layer-${layer.name}`,
  severity: 'error',
  comment: `${layer.name} (${layer.why}) may not import a layer above it: ${LAYERS.slice(index + 1)
    .map((above) => above.name)
    .join(', ')}`,
  from: { path: layer.paths },
  to: { path: LAYERS.slice(index + 1).flatMap((above) => above.paths), ...(layer.allowAbove ? { pathNot: layer.allowAbove } : {}) },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'backend-siblings',
      severity: 'error',
      comment: "a backend may not import another backend's directory (shared code belongs in the base layer)",
      from: { path: '^harness/backends/([^/]+)/' },
      to: { path: '^harness/backends/[^/]+/', pathNot: '^harness/backends/$1/' },
    },
    {
      name: 'experiments-are-data',
      severity: 'error',
      comment: 'experiments/ imports the base layer only; gates.ts also the gate type and the paper statements it checks',
      from: { path: '^experiments/', pathNot: '^experiments/gates[.]ts$' },
      to: { path: '^harness/', pathNot: BASE },
    },
    {
      name: 'gates-are-data',
      severity: 'error',
      comment: 'experiments/gates.ts imports the base layer, the gate type and the paper statements only',
      from: { path: '^experiments/gates[.]ts$' },
      to: { path: '^harness/', pathNot: [...BASE, ...GATE_INPUTS] },
    },
    {
      name: 'gate-inputs-are-data',
      severity: 'error',
      comment: 'the two modules experiments/gates.ts may import from above stay data: they import the base layer only',
      from: { path: GATE_INPUTS },
      to: { path: '^(harness|experiments)/', pathNot: BASE },
    },
    {
      name: 'experiments-import-types-only',
      severity: 'error',
      comment: 'experiments/ takes only types from the harness (so a sweep is plain data)',
      from: { path: '^experiments/' },
      to: { path: BASE, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'outside-the-layers',
      severity: 'error',
      comment: 'every module of harness/ belongs to a layer: add a new one to LAYERS in .dependency-cruiser.cjs',
      from: { path: '^harness/', pathNot: ALL_LAYERS },
      to: {},
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'modules that import each other cannot be layered',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-tests-in-harness',
      severity: 'error',
      comment: 'the harness does not import from test/',
      from: { path: '^(harness|experiments)/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Without this, imports that only bring in types are compiled away before they are checked.
    tsPreCompilationDeps: true,
  },
};
