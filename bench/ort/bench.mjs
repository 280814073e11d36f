// bench.mjs: netc's generated code against ONNX Runtime, alternated, in one run.
//
//   node bench/ort/bench.mjs [--rounds N] [--batch-ms MS] [--threads 1,2]
//                            [--check-only] WORK NAME...
//
// bench/ort.sh prepares WORK and calls this; see bench/README.md. For each
// NAME, WORK/NAME holds what bench/ort_export.py wrote (model.onnx,
// input.nchw.bin, input.nhwc.bin, expected.bin, meta.json) and, for each
// thread count T that netc can build, t<T>/harness (bench/ort_harness.c
// compiled with netc's code) and t<T>/model.bin (its weights).
//
// 1. Check: one run of each engine at each thread count; netc's output
//    against ONNX Runtime's, and both against the PyTorch reference, with
//    the rule of tests/numerics (max |a - b| <= 1e-4 * max |b|). A network
//    that fails is not timed, and the exit status is 1.
// 2. Time: for each thread count and network, ROUNDS rounds; in each, one
//    batch of netc (a fresh harness process, which loads, warms up and then
//    times each call in-process) and one batch of ONNX Runtime (a session
//    made once per thread count, every graph optimisation,
//    intraOpNumThreads = T, interOpNumThreads = 1, each `await
//    session.run()` timed), the engine that goes first alternating from
//    round to round. A batch is WARM_MS of untimed calls (one at least),
//    then timed calls for at least BATCH_MS and 3 calls.
// 3. Print the medians over every timed call of each engine, the ratio of
//    the medians, the lowest and highest of the per-round ratios (median of
//    the round's netc batch over its ONNX Runtime batch), and the medians
//    of the CPU time each call cost the process (every thread; on a busy
//    machine, wall time less the waits for a core).
//
// Not a test: timings depend on the machine and its load.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import * as ort from 'onnxruntime-node';

const TOL = 1e-4;
const WARM_MS = 50; // untimed calls before each batch: this long, one at least

// netc's targets (docs/performance.md, "What netc aims at"): the most
// netc / ORT may be on one thread, per network.
const TARGETS = { resnet18: 0.85, mobilenet: 1.0, mnist: 0.6 };

function usage(msg) {
  if (msg) console.error(`bench.mjs: ${msg}`);
  console.error('usage: node bench/ort/bench.mjs [--rounds N] [--batch-ms MS] [--threads 1,2] [--check-only] WORK NAME...');
  process.exit(2);
}

function parseArgs(argv) {
  const o = { rounds: 5, batchMs: 500, threads: [1, 2], checkOnly: false, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--rounds') o.rounds = Number(val());
    else if (a === '--batch-ms') o.batchMs = Number(val());
    else if (a === '--threads') o.threads = val().split(',').map(Number);
    else if (a === '--check-only') o.checkOnly = true;
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else o.rest.push(a);
  }
  if (!(Number.isInteger(o.rounds) && o.rounds >= 1)) usage('--rounds must be a positive integer');
  if (!(o.batchMs > 0)) usage('--batch-ms must be positive');
  if (!o.threads.every((t) => Number.isInteger(t) && t >= 1)) usage('--threads: positive integers');
  if (o.rest.length < 2) usage();
  return o;
}

function readF32(file) {
  const b = readFileSync(file);
  return new Float32Array(new Uint8Array(b).buffer); // copied: aligned
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

// max |a - b| / max |b|: the tolerance rule of tests/numerics
function relErr(a, b) {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  let m = 1e-30;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) return Infinity;
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / m;
}

function cpuInfo() {
  let model = os.cpus()[0]?.model ?? 'unknown';
  let flags = [];
  try {
    const txt = readFileSync('/proc/cpuinfo', 'utf8');
    const fl = /^flags\s*:\s*(.*)$/m.exec(txt);
    if (fl) flags = fl[1].split(/\s+/);
    const fam = /^cpu family\s*:\s*(\d+)$/m.exec(txt);
    const mod = /^model\s*:\s*(\d+)$/m.exec(txt);
    if (fam && mod) model += ` (family ${fam[1]}, model ${mod[1]})`;
  } catch { /* not Linux: no flags */ }
  const wanted = ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512bw', 'avx512vl',
    'avx512_vnni', 'avx512_bf16', 'amx_tile'];
  return { model, cores: os.cpus().length, flags: wanted.filter((f) => flags.includes(f)) };
}

// One netc batch: a fresh harness process; returns the per-call wall and
// CPU times in ms.
function netcBatch(net, t, minMs, minRuns, warmMs) {
  const dir = path.join(net.dir, `t${t}`);
  const out = execFileSync(path.join(dir, 'harness'),
    [path.join(dir, 'model.bin'), path.join(net.dir, 'input.nhwc.bin'),
      path.join(dir, 'out.bin'), String(minMs), String(minRuns), String(warmMs)],
    { encoding: 'utf8', maxBuffer: 64 << 20 });
  const wall = [];
  const cpu = [];
  for (const line of out.trim().split('\n')) {
    const [w, c] = line.split(' ').map((x) => Number(x) / 1e6);
    wall.push(w);
    cpu.push(c);
  }
  return { wall, cpu };
}

// One ONNX Runtime batch on a session made beforehand.
async function ortBatch(net, t, minMs, minRuns, warmMs) {
  const s = net.sessions[t];
  const warmStart = process.hrtime.bigint();
  do await s.run(net.feeds);
  while (process.hrtime.bigint() - warmStart < BigInt(Math.round(warmMs * 1e6)));
  const wall = [];
  const cpu = [];
  const start = process.hrtime.bigint();
  const limit = BigInt(Math.round(minMs * 1e6));
  while (wall.length < minRuns || process.hrtime.bigint() - start < limit) {
    // the CPU time (user + system, every thread of the process) outside the wall time
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await s.run(net.feeds);
    const t1 = process.hrtime.bigint();
    const c1 = process.cpuUsage(c0);
    wall.push(Number(t1 - t0) / 1e6);
    cpu.push((c1.user + c1.system) / 1e3);
  }
  return { wall, cpu };
}

const fmtMs = (ms) => (ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3));
const fmtX = (r) => `${r.toFixed(2)}×`;

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const [work, ...names] = o.rest;
  const cpu = cpuInfo();
  const load0 = os.loadavg();
  console.log(`ONNX Runtime ${ort.env.versions.node} (onnxruntime-node, CPU), node ${process.version}`);
  console.log(`CPU: ${cpu.model}, ${cpu.cores} logical CPUs; flags: ${cpu.flags.join(' ') || 'none of interest'}`);
  console.log(`load average at start: ${load0.map((x) => x.toFixed(2)).join(' ')}`);

  const nets = [];
  let failed = false;
  for (const name of names) {
    const dir = path.join(work, name);
    const meta = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8'));
    const net = {
      name, dir, meta, sessions: {},
      expected: readF32(path.join(dir, 'expected.bin')),
      threads: o.threads.filter((t) => existsSync(path.join(dir, `t${t}`, 'harness'))),
    };
    const input = readF32(path.join(dir, 'input.nchw.bin'));
    net.feeds = { input: new ort.Tensor('float32', input, meta.input_shape) };
    for (const t of o.threads) {
      net.sessions[t] = await ort.InferenceSession.create(path.join(dir, 'model.onnx'), {
        executionProviders: ['cpu'],
        graphOptimizationLevel: 'all',
        executionMode: 'sequential',
        intraOpNumThreads: t,
        interOpNumThreads: 1,
      });
    }
    // the check
    net.ok = true;
    for (const t of o.threads) {
      const r = await net.sessions[t].run(net.feeds);
      const y = r.output.data;
      const eOrt = relErr(y, net.expected);
      let line = `check ${name}, ${t} thread${t > 1 ? 's' : ''}: ONNX Runtime vs reference ${eOrt.toExponential(2)}`;
      let ok = eOrt <= TOL;
      if (net.threads.includes(t)) {
        netcBatch(net, t, 0, 1, 0);
        const z = readF32(path.join(dir, `t${t}`, 'out.bin'));
        const eNetc = relErr(z, net.expected);
        const eBoth = relErr(z, y);
        line += `, netc vs reference ${eNetc.toExponential(2)}, netc vs ONNX Runtime ${eBoth.toExponential(2)}`;
        ok = ok && eNetc <= TOL && eBoth <= TOL;
      } else {
        line += ', netc: no build for this thread count';
      }
      console.log(`${line}: ${ok ? 'ok' : 'FAIL'}`);
      net.ok = net.ok && ok;
    }
    if (!net.ok) failed = true;
    nets.push(net);
  }
  if (o.checkOnly) process.exit(failed ? 1 : 0);

  console.log(`timing: ${o.rounds} rounds, batches of at least ${o.batchMs} ms and 3 calls, engines alternated`);
  const rows = [];
  for (const t of o.threads) {
    for (const net of nets) {
      if (!net.ok) continue;
      const hasNetc = net.threads.includes(t);
      const all = { netc: { wall: [], cpu: [] }, ort: { wall: [], cpu: [] } };
      const ratios = [];
      for (let r = 0; r < o.rounds; r++) {
        const order = r % 2 === 0 ? ['netc', 'ort'] : ['ort', 'netc'];
        const got = {};
        for (const e of order) {
          if (e === 'netc' && !hasNetc) continue;
          got[e] = e === 'netc'
            ? netcBatch(net, t, o.batchMs, 3, WARM_MS)
            : await ortBatch(net, t, o.batchMs, 3, WARM_MS);
          all[e].wall.push(...got[e].wall);
          all[e].cpu.push(...got[e].cpu);
        }
        if (hasNetc) ratios.push(median(got.netc.wall) / median(got.ort.wall));
      }
      const m = (e, k) => (all[e][k].length ? median(all[e][k]) : null);
      const row = {
        network: net.name, net: net.meta.net, threads: t,
        ort_ms: m('ort', 'wall'), ort_cpu_ms: m('ort', 'cpu'), ort_runs: all.ort.wall.length,
        netc_ms: m('netc', 'wall'), netc_cpu_ms: m('netc', 'cpu'), netc_runs: all.netc.wall.length,
        ratio: hasNetc ? m('netc', 'wall') / m('ort', 'wall') : null,
        ratio_min: hasNetc ? Math.min(...ratios) : null,
        ratio_max: hasNetc ? Math.max(...ratios) : null,
        cpu_ratio: hasNetc ? m('netc', 'cpu') / m('ort', 'cpu') : null,
      };
      rows.push(row);
      process.stderr.write(`  ${net.name}, ${t} thread(s): done\n`);
    }
  }

  const load1 = os.loadavg();
  const lines = [
    '| network | threads | netc | ONNX Runtime | netc / ORT | per round | CPU time: netc / ORT | calls (netc, ORT) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(`| ${r.net} | ${r.threads} | ${r.netc_ms === null ? 'n/a' : `${fmtMs(r.netc_ms)} ms`} `
      + `| ${fmtMs(r.ort_ms)} ms | ${r.ratio === null ? 'n/a' : fmtX(r.ratio)} `
      + `| ${r.ratio === null ? 'n/a' : `${fmtX(r.ratio_min)}–${fmtX(r.ratio_max)}`} `
      + `| ${r.cpu_ratio === null ? 'n/a' : `${fmtMs(r.netc_cpu_ms)} / ${fmtMs(r.ort_cpu_ms)} ms = ${fmtX(r.cpu_ratio)}`} `
      + `| ${r.netc_runs}, ${r.ort_runs} |`);
  }
  console.log('');
  console.log(lines.join('\n'));
  // what more threads buy each engine: time on the first count / time on t
  const by = (n, t) => rows.find((r) => r.network === n && r.threads === t);
  const scale = [];
  for (const t of o.threads.slice(1)) {
    for (const net of nets) {
      const a = by(net.name, o.threads[0]);
      const b = by(net.name, t);
      if (!a || !b) continue;
      const nx = a.netc_ms !== null && b.netc_ms !== null ? fmtX(a.netc_ms / b.netc_ms) : 'n/a';
      scale.push(`| ${net.meta.net} | ${o.threads[0]} → ${t} | ${nx} | ${fmtX(a.ort_ms / b.ort_ms)} |`);
    }
  }
  if (scale.length) {
    const head = ['| network | threads | netc speed-up | ONNX Runtime speed-up |', '|---|---|---|---|'];
    console.log(`\n${head.concat(scale).join('\n')}`);
    lines.push('', ...head, ...scale);
  }
  // the targets this run can judge
  const verdicts = [];
  const met = (ok) => (ok === null ? 'n/a' : ok ? 'met' : 'not met');
  for (const [name, most] of Object.entries(TARGETS)) {
    const r = by(name, 1);
    if (!r) continue;
    verdicts.push(`${r.net}, 1 thread: netc / ORT ${r.ratio === null ? 'n/a' : fmtX(r.ratio)}, `
      + `target at most ${fmtX(most)}: ${met(r.ratio === null ? null : r.ratio <= most)}`);
  }
  const r1 = by('resnet18', 1);
  const r2 = by('resnet18', 2);
  if (r1 && r2) {
    const up = r1.netc_ms !== null && r2.netc_ms !== null ? r1.netc_ms / r2.netc_ms : null;
    verdicts.push(`examples/resnet18.net, 2 threads: netc ${up === null ? 'n/a' : fmtX(up)} faster than on 1, `
      + `target at least 1.80×: ${met(up === null ? null : up >= 1.8)}; netc / ORT `
      + `${r2.ratio === null ? 'n/a' : fmtX(r2.ratio)}, target below 1×: ${met(r2.ratio === null ? null : r2.ratio < 1)}`);
  }
  if (verdicts.length) console.log(`\ntargets (docs/performance.md):\n  ${verdicts.join('\n  ')}`);
  console.log('\nmedians over every timed call; "per round": the lowest and highest of the rounds\' ratios;');
  console.log('CPU time: the medians of the CPU time of the process (every thread) per call;');
  console.log('speed-up: the median on the fewer threads over the median on more (above 1: faster)');
  console.log(`load average at end: ${load1.map((x) => x.toFixed(2)).join(' ')}`);
  writeFileSync(path.join(work, 'results.json'), `${JSON.stringify({
    onnxruntime: ort.env.versions.node, node: process.version, cpu, rounds: o.rounds,
    batch_ms: o.batchMs, load_start: load0, load_end: load1, rows,
  }, null, 1)}\n`);
  writeFileSync(path.join(work, 'table.md'), `${lines.join('\n')}\n`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(`bench.mjs: ${e.stack || e}`);
  process.exit(1);
});
